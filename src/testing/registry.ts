import type { BuiltInProviderName } from '../../providers/registry.js'
import { githubFixtures } from './fixtures/github.js'
import { gitlabFixtures } from './fixtures/gitlab.js'
import { linearFixtures } from './fixtures/linear.js'
import { paddleFixtures } from './fixtures/paddle.js'
import { razorpayFixtures } from './fixtures/razorpay.js'
import { shopifyFixtures } from './fixtures/shopify.js'
import { slackFixtures } from './fixtures/slack.js'
import { clerkFixtures, resendFixtures, standardWebhooksFixtures } from './fixtures/standard-webhooks.js'
import { stripeFixtures } from './fixtures/stripe.js'

/**
 * The testing side of each built-in provider (`providers/registry.ts` holds the rest): its
 * sample events, and the fixed development secret the Node example and the CLI's --dev sign
 * with when its variable is unset, so a fresh clone can send and receive test events with no
 * setup. Never use these values for a real endpoint. A new provider adds one line here.
 */
export const TESTING_PROVIDERS = {
  stripe: { developmentSecret: 'whsec_webhook_inbox_development', fixtures: stripeFixtures },
  github: { developmentSecret: 'github-webhook-inbox-development', fixtures: githubFixtures },
  slack: { developmentSecret: 'slack-webhook-inbox-development', fixtures: slackFixtures },
  razorpay: { developmentSecret: 'razorpay-webhook-inbox-development', fixtures: razorpayFixtures },
  // Standard Webhooks secrets are whsec_ + base64 of the key bytes.
  'standard-webhooks': { developmentSecret: 'whsec_d2ViaG9vay1pbmJveC1zdGFuZGFyZC13ZWJob29rcy1kZXY=', fixtures: standardWebhooksFixtures },
  // Svix delivers any sender's events, so it gets every Standard Webhooks sample.
  svix: { developmentSecret: 'whsec_d2ViaG9vay1pbmJveC1zdml4LWRldg==', fixtures: standardWebhooksFixtures },
  clerk: { developmentSecret: 'whsec_d2ViaG9vay1pbmJveC1jbGVyay1kZXY=', fixtures: clerkFixtures },
  resend: { developmentSecret: 'whsec_d2ViaG9vay1pbmJveC1yZXNlbmQtZGV2', fixtures: resendFixtures },
  shopify: { developmentSecret: 'shopify-webhook-inbox-development', fixtures: shopifyFixtures },
  paddle: { developmentSecret: 'pdl_ntfset_webhook_inbox_development', fixtures: paddleFixtures },
  linear: { developmentSecret: 'lin_wh_webhook_inbox_development', fixtures: linearFixtures },
  gitlab: { developmentSecret: 'gitlab-webhook-inbox-development', fixtures: gitlabFixtures },
} satisfies { [N in BuiltInProviderName]: { developmentSecret: string; fixtures: Record<string, object> } }
