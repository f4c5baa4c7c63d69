export { github, type GitHubEvents, type GitHubOptions } from './github.js'
export { gitlab, type GitLabEvents, type GitLabOptions, type GitLabWebhook } from './gitlab.js'
export { linear, type LinearEvents, type LinearOptions, type LinearWebhook } from './linear.js'
export { linearOrdering, paddleOrdering, shopifyOrdering, stripeOrdering } from './ordering.js'
export { paddle, type PaddleEvents, type PaddleOptions, type PaddleWebhook } from './paddle.js'
export { razorpay, type RazorpayEvents, type RazorpayOptions, type RazorpayWebhook } from './razorpay.js'
export {
  BUILT_IN_PROVIDERS,
  createProviders,
  isBuiltInProvider,
  type BuiltInProviderName,
  type BuiltInProviders,
  type EncodeOptions,
  type ProviderEntry,
} from './registry.js'
export { shopify, type ShopifyEvents, type ShopifyOptions, type ShopifyWebhook } from './shopify.js'
export {
  slack,
  type SlackEventCallback,
  type SlackEvents,
  type SlackInteraction,
  type SlackOptions,
  type SlackSlashCommand,
} from './slack.js'
export {
  clerk,
  resend,
  standardWebhooks,
  type StandardWebhooksEvent,
  type StandardWebhooksEvents,
  type StandardWebhooksOptions,
  svix,
} from './standard-webhooks.js'
export { stripe, type StripeEvents, type StripeOptions } from './stripe.js'
export type { BodyHash, EventMap, Provider, ProviderOptions, SignInput, TimestampOptions, VerifiedEvent } from '../src/provider.js'
