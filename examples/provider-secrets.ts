import { BUILT_IN_PROVIDERS, type BuiltInProviderName } from '../providers/registry.js'

export const PROVIDER_NAMES = Object.keys(BUILT_IN_PROVIDERS) as BuiltInProviderName[]

/**
 * Each built-in provider's secret from `variables` (process.env, a Worker's env), under the
 * variable the registry names (STRIPE_WEBHOOK_SECRET, …); the providers whose variable is
 * unset or empty in `missing`. Apart from the development secrets (dev-secrets.ts), so a
 * Worker bundle gets no testing code.
 */
export function secretsFrom(variables: Record<string, unknown>) {
  const secrets: Partial<Record<BuiltInProviderName, string>> = {}
  const missing: BuiltInProviderName[] = []
  for (const provider of PROVIDER_NAMES) {
    const value = variables[BUILT_IN_PROVIDERS[provider].secretVariable]
    if (typeof value === 'string' && value !== '') secrets[provider] = value
    else missing.push(provider)
  }
  return { secrets, missing }
}
