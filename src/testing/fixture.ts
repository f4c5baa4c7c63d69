import { type BuiltInProviderName, isBuiltInProvider } from '../../providers/registry.js'
import { TESTING_PROVIDERS } from './registry.js'

export type ProviderName = BuiltInProviderName
export type FixtureName<P extends ProviderName> = keyof (typeof TESTING_PROVIDERS)[P]['fixtures'] & string

/** The event name a fixture was loaded under, so `signedRequest` can send it where the type is a header (GitHub, Shopify). */
export const fixtureTypes = new WeakMap<object, string>()

export const isProviderName: (name: string) => name is ProviderName = isBuiltInProvider

export function fixtureNames(provider: ProviderName): string[] {
  return Object.keys(TESTING_PROVIDERS[provider].fixtures)
}

/**
 * A fresh copy of a sample event, ready for `signedRequest()`.
 *
 * @example
 * const req = await signedRequest('stripe', fixture('stripe', 'payment_intent.succeeded'), { secret })
 */
export function fixture<P extends ProviderName>(provider: P, name: FixtureName<P>): Record<string, unknown> {
  const fixtures: Record<string, object> = TESTING_PROVIDERS[provider].fixtures
  const source = Object.hasOwn(fixtures, name) ? fixtures[name] : undefined
  if (source === undefined) {
    throw new TypeError(`[webhook-inbox] no ${provider} fixture named "${name}" (have: ${fixtureNames(provider).join(', ')})`)
  }
  const payload = structuredClone(source) as Record<string, unknown>
  fixtureTypes.set(payload, name)
  return payload
}
