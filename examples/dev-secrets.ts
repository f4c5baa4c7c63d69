/**
 * The example's signing secrets: the real ones from the environment, or fixed
 * development values so a fresh clone can receive signed test events at once.
 */
const DEVELOPMENT = {
  stripe: ['STRIPE_WEBHOOK_SECRET', 'whsec_webhook_inbox_development'],
  github: ['GITHUB_WEBHOOK_SECRET', 'github-webhook-inbox-development'],
  slack: ['SLACK_SIGNING_SECRET', 'slack-webhook-inbox-development'],
  razorpay: ['RAZORPAY_WEBHOOK_SECRET', 'razorpay-webhook-inbox-development'],
} as const

export type ExampleProvider = keyof typeof DEVELOPMENT

export function exampleSecrets() {
  const secrets = {} as Record<ExampleProvider, string>
  const defaulted: string[] = []
  for (const [provider, [variable, fallback]] of Object.entries(DEVELOPMENT) as [ExampleProvider, readonly [string, string]][]) {
    const value = process.env[variable]
    secrets[provider] = value || fallback
    if (!value) defaulted.push(`${variable}=${fallback}`)
  }
  return { secrets, defaulted }
}

export const examplePort = () => Number(process.env.PORT ?? 3000)
