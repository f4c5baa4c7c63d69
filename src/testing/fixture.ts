import { BUILT_IN_PROVIDERS, type BuiltInProviderName, isBuiltInProvider } from '../../providers/registry.js'
import { TESTING_PROVIDERS } from './registry.js'

export type ProviderName = BuiltInProviderName
export type FixtureName<P extends ProviderName> = keyof (typeof TESTING_PROVIDERS)[P]['fixtures'] & string

/** The event name a fixture was loaded under, so `signedRequest` can send it where the type is a header (GitHub, Shopify). */
export const fixtureTypes = new WeakMap<object, string>()

export const isProviderName: (name: string) => name is ProviderName = isBuiltInProvider

/** JavaScript callers and `as` casts can pass any string: name the ones that exist instead of crashing on undefined. */
export function requireProviderName(name: string, caller: string): ProviderName {
  if (isProviderName(name)) return name
  throw new TypeError(`[webhook-inbox] ${caller}: no built-in provider named "${String(name).slice(0, 100)}" (have: ${Object.keys(BUILT_IN_PROVIDERS).join(', ')})`)
}

export function fixtureNames(provider: ProviderName): string[] {
  return Object.keys(TESTING_PROVIDERS[requireProviderName(provider, 'fixtureNames()')].fixtures)
}

/**
 * A fresh copy of a sample event, ready for `signedRequest()`.
 *
 * @example
 * const req = await signedRequest('stripe', fixture('stripe', 'payment_intent.succeeded'), { secret })
 */
export function fixture<P extends ProviderName>(provider: P, name: FixtureName<P>): Record<string, unknown> {
  const fixtures: Record<string, object> = TESTING_PROVIDERS[requireProviderName(provider, 'fixture()')].fixtures
  const source = Object.hasOwn(fixtures, name) ? fixtures[name] : undefined
  if (source === undefined) {
    throw new TypeError(`[webhook-inbox] no ${provider} fixture named "${name}" (have: ${fixtureNames(provider).join(', ')})`)
  }
  const payload = structuredClone(source) as Record<string, unknown>
  fixtureTypes.set(payload, name)
  return payload
}
