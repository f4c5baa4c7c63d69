import type { BuiltInProviderName } from '../providers/registry.js'
import { DEVELOPMENT_SECRETS } from '../src/testing/development-secrets.js'
import { secretsFrom } from './provider-secrets.js'

export { PROVIDER_NAMES } from './provider-secrets.js'

/**
 * The example's signing secrets: the real ones from the environment, or the fixed
 * development values (the CLI's --dev signs with the same), so a fresh clone can receive
 * signed test events at once.
 */
export function exampleSecrets() {
  const { secrets, missing } = secretsFrom(process.env)
  for (const provider of missing) secrets[provider] = DEVELOPMENT_SECRETS[provider].value
  const defaulted = missing.map((provider) => `${DEVELOPMENT_SECRETS[provider].variable}=${DEVELOPMENT_SECRETS[provider].value}`)
  return { secrets: secrets as Record<BuiltInProviderName, string>, defaulted }
}

export const examplePort = () => Number(process.env.PORT ?? 3000)
