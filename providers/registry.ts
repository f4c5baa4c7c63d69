import { github } from './github.js'
import { gitlab } from './gitlab.js'
import { linear } from './linear.js'
import { paddle } from './paddle.js'
import { razorpay } from './razorpay.js'
import { shopify } from './shopify.js'
import { encodeSlackPayload, slack } from './slack.js'
import { clerk, resend, standardWebhooks, svix } from './standard-webhooks.js'
import { stripe } from './stripe.js'
import type { Provider, ProviderOptions } from '../src/provider.js'

/** What `encode` may use besides the payload: the event id to send, and the signing time (s). */
export interface EncodeOptions {
  id: string | undefined
  timestamp: number
}

/**
 * One built-in provider, described once. Everything that lists providers (the testing toolkit,
 * the CLI, the examples) reads this. Development secrets and fixtures are testing-side, in
 * `src/testing/registry.ts`, so they never reach a production bundle.
 */
export interface ProviderEntry<F extends (options: ProviderOptions) => Provider = (options: ProviderOptions) => Provider> {
  factory: F
  /** The environment variable the secret is read from (examples, CLI). */
  secretVariable: string
  /** How a payload object becomes the body the provider sends; default: JSON as is (the id travels in a header). */
  encode?: (payload: Record<string, unknown>, options: EncodeOptions) => string
  /** The header `sign()` takes the event type for (`SignInput.type`); a payload sent from a file must name it. */
  typeHeader?: string
}

/** JSON with `id`, when given, written into the body's own id field. */
const jsonWithId =
  (field: string) =>
  (payload: Record<string, unknown>, { id }: EncodeOptions) =>
    JSON.stringify(id === undefined ? payload : { ...payload, [field]: id })

const entry = <F extends (options: ProviderOptions) => Provider>(value: ProviderEntry<F>) => value

export const BUILT_IN_PROVIDERS = {
  stripe: entry({ factory: stripe, secretVariable: 'STRIPE_WEBHOOK_SECRET', encode: jsonWithId('id') }),
  github: entry({ factory: github, secretVariable: 'GITHUB_WEBHOOK_SECRET', typeHeader: 'X-GitHub-Event' }),
  slack: entry({ factory: slack, secretVariable: 'SLACK_SIGNING_SECRET', encode: (payload, { id }) => encodeSlackPayload(payload, id) }),
  razorpay: entry({ factory: razorpay, secretVariable: 'RAZORPAY_WEBHOOK_SECRET' }),
  'standard-webhooks': entry({ factory: standardWebhooks, secretVariable: 'STANDARD_WEBHOOKS_SECRET' }),
  svix: entry({ factory: svix, secretVariable: 'SVIX_WEBHOOK_SECRET' }),
  // The variable names Clerk's and Resend's own docs use.
  clerk: entry({ factory: clerk, secretVariable: 'CLERK_WEBHOOK_SIGNING_SECRET' }),
  resend: entry({ factory: resend, secretVariable: 'RESEND_WEBHOOK_SECRET' }),
  shopify: entry({ factory: shopify, secretVariable: 'SHOPIFY_API_SECRET', typeHeader: 'X-Shopify-Topic' }),
  paddle: entry({ factory: paddle, secretVariable: 'PADDLE_WEBHOOK_SECRET', encode: jsonWithId('event_id') }),
  // Linear signs its send time inside the body, so the body carries the signing time.
  linear: entry({ factory: linear, secretVariable: 'LINEAR_WEBHOOK_SECRET', encode: (payload, { timestamp }) => JSON.stringify({ ...payload, webhookTimestamp: timestamp * 1000 }) }),
  gitlab: entry({ factory: gitlab, secretVariable: 'GITLAB_WEBHOOK_TOKEN' }),
}

export type BuiltInProviderName = keyof typeof BUILT_IN_PROVIDERS

/** Each built-in provider's instance type, so `inbox.on()` stays typed for providers made from the registry. */
export type BuiltInProviders = { [N in BuiltInProviderName]: ReturnType<(typeof BUILT_IN_PROVIDERS)[N]['factory']> }

export function isBuiltInProvider(name: string): name is BuiltInProviderName {
  return Object.hasOwn(BUILT_IN_PROVIDERS, name)
}

/**
 * Every built-in provider, each with its secret.
 *
 * @example
 * createInbox({ store, providers: createProviders({ stripe: env.STRIPE_WEBHOOK_SECRET, … }) })
 */
export function createProviders(secrets: Record<BuiltInProviderName, string | string[]>): BuiltInProviders {
  const providers: Partial<Record<BuiltInProviderName, Provider>> = {}
  for (const name of Object.keys(BUILT_IN_PROVIDERS) as BuiltInProviderName[]) {
    providers[name] = BUILT_IN_PROVIDERS[name].factory({ secret: secrets[name] })
  }
  return providers as BuiltInProviders
}
