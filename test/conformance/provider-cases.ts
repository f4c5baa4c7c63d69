import { github } from '../../providers/github.js'
import { gitlab } from '../../providers/gitlab.js'
import { linear } from '../../providers/linear.js'
import { paddle } from '../../providers/paddle.js'
import { razorpay } from '../../providers/razorpay.js'
import { shopify } from '../../providers/shopify.js'
import { slack } from '../../providers/slack.js'
import { standardWebhooks } from '../../providers/standard-webhooks.js'
import { stripe } from '../../providers/stripe.js'
import { NOW } from '../helpers.js'
import type { ProviderCase } from './provider.js'

export function stripeEvent(id?: string) {
  return JSON.stringify({
    ...(id === undefined ? {} : { id }),
    object: 'event',
    api_version: '2025-01-27.acacia',
    created: NOW / 1000,
    type: 'payment_intent.succeeded',
    livemode: false,
    pending_webhooks: 1,
    request: { id: null, idempotency_key: null },
    data: { object: { id: 'pi_3Q', object: 'payment_intent', amount: 2000, currency: 'usd' } },
  })
}

export const githubIssueOpened = (extra = {}) => JSON.stringify({ action: 'opened', issue: { number: 1, title: 'Bug' }, ...extra })

export const slackCallback = (id?: string) =>
  JSON.stringify({
    token: 'x',
    team_id: 'T1',
    api_app_id: 'A1',
    type: 'event_callback',
    ...(id === undefined ? {} : { event_id: id }),
    event_time: NOW / 1000,
    event: { type: 'app_mention', user: 'U1', text: 'hi', channel: 'C1' },
  })

export const razorpayCaptured = () =>
  JSON.stringify({
    entity: 'event',
    account_id: 'acc_BFQ7uQEaa7j2z7',
    event: 'payment.captured',
    contains: ['payment'],
    payload: { payment: { entity: { id: 'pay_DESlfW9H8K9uqM', amount: 100, currency: 'INR', status: 'captured' } } },
    created_at: 1567674606,
  })

export const stripeCase: ProviderCase = {
  name: 'stripe',
  create: (options) => stripe(options),
  delivery: (id) => ({ input: { body: stripeEvent(id) }, type: 'payment_intent.succeeded' }),
  withoutId: () => ({ input: { body: stripeEvent() } }),
  signatureHeader: 'stripe-signature',
  hasTimestamp: true,
}

export const githubCase: ProviderCase = {
  name: 'github',
  create: (options) => github(options),
  delivery: (id) => ({ input: { body: githubIssueOpened(), id, type: 'issues' }, type: 'issues.opened' }),
  withoutId: () => ({ input: { body: githubIssueOpened(), type: 'issues' }, dropHeaders: ['x-github-delivery'] }),
  signatureHeader: 'x-hub-signature-256',
  hasTimestamp: false,
}

export const slackCase: ProviderCase = {
  name: 'slack',
  create: (options) => slack(options),
  delivery: (id) => ({ input: { body: slackCallback(id) }, type: 'app_mention' }),
  withoutId: () => ({ input: { body: slackCallback() } }),
  signatureHeader: 'x-slack-signature',
  hasTimestamp: true,
}

export const razorpayCase: ProviderCase = {
  name: 'razorpay',
  create: (options) => razorpay(options),
  delivery: (id) => ({ input: { body: razorpayCaptured(), id }, type: 'payment.captured' }),
  withoutId: () => ({ input: { body: razorpayCaptured() }, dropHeaders: ['x-razorpay-event-id'] }),
  signatureHeader: 'x-razorpay-signature',
  hasTimestamp: false,
}

export const userCreated = () => JSON.stringify({ type: 'user.created', timestamp: '2026-01-01T00:00:00Z', data: { id: 'user_29w83sxmDNGwOuEthce5gg56FcC' } })

export const standardWebhooksCase: ProviderCase = {
  name: 'standard-webhooks',
  create: (options) => standardWebhooks(options),
  // The id is signed with the body, so a missing webhook-id leaves nothing to verify: missing_event_id.
  delivery: (id) => ({ input: { body: userCreated(), id }, type: 'user.created' }),
  withoutId: () => ({ input: { body: userCreated() }, dropHeaders: ['webhook-id'] }),
  signatureHeader: 'webhook-signature',
  hasTimestamp: true,
  // whsec_ + base64: "conformance-new-key", "conformance-old-key".
  secrets: { current: 'whsec_Y29uZm9ybWFuY2UtbmV3LWtleQ==', previous: 'whsec_Y29uZm9ybWFuY2Utb2xkLWtleQ==' },
}

export const shopifyOrder = () => JSON.stringify({ id: 820982911946154500, name: '#9999', email: 'jon@example.com', total_price: '403.00' })

export const shopifyCase: ProviderCase = {
  name: 'shopify',
  create: (options) => shopify(options),
  delivery: (id) => ({ input: { body: shopifyOrder(), id, type: 'orders/create' }, type: 'orders/create' }),
  withoutId: () => ({ input: { body: shopifyOrder(), type: 'orders/create' }, dropHeaders: ['x-shopify-webhook-id'] }),
  signatureHeader: 'x-shopify-hmac-sha256',
  hasTimestamp: false,
}

export const paddleEvent = (id?: string) =>
  JSON.stringify({
    ...(id === undefined ? {} : { event_id: id }),
    event_type: 'transaction.completed',
    occurred_at: '2026-01-01T00:00:00.000Z',
    notification_id: 'ntf_01hv8x2af2xy1ee1hfdfeq9txr',
    data: { id: 'txn_01hv8wptq8987qeep44cyrewp9', status: 'completed' },
  })

export const paddleCase: ProviderCase = {
  name: 'paddle',
  create: (options) => paddle(options),
  delivery: (id) => ({ input: { body: paddleEvent(id) }, type: 'transaction.completed' }),
  withoutId: () => ({ input: { body: paddleEvent() } }),
  signatureHeader: 'paddle-signature',
  hasTimestamp: true,
}

export const linearIssue = (seconds = NOW / 1000) =>
  JSON.stringify({ action: 'create', type: 'Issue', data: { id: '2174add1', title: 'Fix the login flow' }, createdAt: '2026-01-01T00:00:00.000Z', webhookTimestamp: seconds * 1000 })

export const linearCase: ProviderCase = {
  name: 'linear',
  create: (options) => linear(options),
  delivery: (id, seconds) => ({ input: { body: linearIssue(seconds), id }, type: 'Issue.create' }),
  withoutId: () => ({ input: { body: linearIssue() }, dropHeaders: ['linear-delivery'] }),
  signatureHeader: 'linear-signature',
  hasTimestamp: true,
}

export const gitlabMerge = () =>
  JSON.stringify({ object_kind: 'merge_request', project: { id: 15 }, object_attributes: { id: 99, iid: 1, state: 'merged', action: 'merge' } })

export const gitlabCase: ProviderCase = {
  name: 'gitlab',
  create: (options) => gitlab(options),
  delivery: (id) => ({ input: { body: gitlabMerge(), id }, type: 'merge_request.merge' }),
  withoutId: () => ({ input: { body: gitlabMerge() }, dropHeaders: ['idempotency-key', 'x-gitlab-event-uuid'] }),
  signatureHeader: 'x-gitlab-token',
  hasTimestamp: false,
  token: true,
}

/** Every built-in provider, in the order docs/providers.md lists them. */
export const providerCases = [stripeCase, githubCase, slackCase, razorpayCase, standardWebhooksCase, shopifyCase, paddleCase, linearCase, gitlabCase]
