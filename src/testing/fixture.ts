import { githubFixtures } from './fixtures/github.js'
import { razorpayFixtures } from './fixtures/razorpay.js'
import { slackFixtures } from './fixtures/slack.js'
import { stripeFixtures } from './fixtures/stripe.js'

const FIXTURES = { stripe: stripeFixtures, github: githubFixtures, slack: slackFixtures, razorpay: razorpayFixtures }

export type ProviderName = keyof typeof FIXTURES
export type FixtureName<P extends ProviderName> = keyof (typeof FIXTURES)[P] & string

/** The event name a fixture was loaded under, so `signedRequest` can send GitHub's X-GitHub-Event. */
export const fixtureTypes = new WeakMap<object, string>()

export function isProviderName(name: string): name is ProviderName {
  return Object.hasOwn(FIXTURES, name)
}

export function fixtureNames(provider: ProviderName): string[] {
  return Object.keys(FIXTURES[provider])
}

/**
 * A fresh copy of a sample event, ready for `signedRequest()`.
 *
 * @example
 * const req = await signedRequest('stripe', fixture('stripe', 'payment_intent.succeeded'), { secret })
 */
export function fixture<P extends ProviderName>(provider: P, name: FixtureName<P>): Record<string, unknown> {
  const fixtures = FIXTURES[provider] as Record<string, object>
  const source = Object.hasOwn(fixtures, name) ? fixtures[name] : undefined
  if (source === undefined) {
    throw new TypeError(`[webhook-inbox] no ${provider} fixture named "${name}" (have: ${fixtureNames(provider).join(', ')})`)
  }
  const payload = structuredClone(source) as Record<string, unknown>
  fixtureTypes.set(payload, name)
  return payload
}
