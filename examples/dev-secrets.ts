import type { BuiltInProviderName } from '../providers/registry.js'
import { DEVELOPMENT_SECRETS } from '../src/testing/development-secrets.js'

export const PROVIDER_NAMES = Object.keys(DEVELOPMENT_SECRETS) as BuiltInProviderName[]

/**
 * The example's signing secrets: the real ones from the environment, or the fixed
 * development values (the CLI's --dev signs with the same), so a fresh clone can receive
 * signed test events at once.
 */
export function exampleSecrets() {
  const secrets = {} as Record<BuiltInProviderName, string>
  const defaulted: string[] = []
  for (const provider of PROVIDER_NAMES) {
    const { variable, value } = DEVELOPMENT_SECRETS[provider]
    secrets[provider] = process.env[variable] || value
    if (!process.env[variable]) defaulted.push(`${variable}=${value}`)
  }
  return { secrets, defaulted }
}

export const examplePort = () => Number(process.env.PORT ?? 3000)
