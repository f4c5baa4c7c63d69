import { BUILT_IN_PROVIDERS, type BuiltInProviderName } from '../../providers/registry.js'
import { TESTING_PROVIDERS } from './registry.js'

/**
 * The environment variable each provider's secret is read from, and the fixed development
 * value the Node example and the CLI fall back to when it is unset. Derived from the two
 * registries; never use these values for a real endpoint.
 */
export const DEVELOPMENT_SECRETS = Object.fromEntries(
  (Object.keys(BUILT_IN_PROVIDERS) as BuiltInProviderName[]).map((name) => [
    name,
    { variable: BUILT_IN_PROVIDERS[name].secretVariable, value: TESTING_PROVIDERS[name].developmentSecret },
  ]),
) as Record<BuiltInProviderName, { variable: string; value: string }>
