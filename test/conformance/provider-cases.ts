import { github } from '../../providers/github.js'
import { razorpay } from '../../providers/razorpay.js'
import { slack } from '../../providers/slack.js'
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
  withoutId: () => ({ input: { body: githubIssueOpened(), type: 'issues' }, dropHeader: 'x-github-delivery' }),
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
  withoutId: () => ({ input: { body: razorpayCaptured() }, dropHeader: 'x-razorpay-event-id' }),
  signatureHeader: 'x-razorpay-signature',
  hasTimestamp: false,
}
