import { DEVELOPMENT_SECRETS } from '../src/testing/development-secrets.js'
import type { ProviderName } from '../src/testing/fixture.js'

/**
 * The example's signing secrets: the real ones from the environment, or the fixed
 * development values (the CLI's --dev signs with the same), so a fresh clone can receive
 * signed test events at once.
 */
export function exampleSecrets() {
  const secrets = {} as Record<ProviderName, string>
  const defaulted: string[] = []
  for (const [provider, { variable, value }] of Object.entries(DEVELOPMENT_SECRETS) as [ProviderName, { variable: string; value: string }][]) {
    secrets[provider] = process.env[variable] || value
    if (!process.env[variable]) defaulted.push(`${variable}=${value}`)
  }
  return { secrets, defaulted }
}

export const examplePort = () => Number(process.env.PORT ?? 3000)
