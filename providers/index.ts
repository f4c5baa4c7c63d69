export { github, type GitHubEvents, type GitHubOptions } from './github.js'
export { razorpay, type RazorpayEvents, type RazorpayOptions, type RazorpayWebhook } from './razorpay.js'
export {
  slack,
  type SlackEventCallback,
  type SlackEvents,
  type SlackInteraction,
  type SlackOptions,
  type SlackSlashCommand,
} from './slack.js'
export { stripe, type StripeEvents, type StripeOptions } from './stripe.js'
export type { EventMap, Provider, ProviderOptions, SignInput, TimestampOptions, VerifiedEvent } from './types.js'
