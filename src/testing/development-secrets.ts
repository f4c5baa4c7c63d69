import type { ProviderName } from './fixture.js'

/**
 * The environment variable each provider's secret is read from, and the fixed
 * development value the Node example and the CLI fall back to when it is unset, so a
 * fresh clone can sign and receive test events with no setup. Never use these values
 * for a real endpoint.
 */
export const DEVELOPMENT_SECRETS: Record<ProviderName, { variable: string; value: string }> = {
  stripe: { variable: 'STRIPE_WEBHOOK_SECRET', value: 'whsec_webhook_inbox_development' },
  github: { variable: 'GITHUB_WEBHOOK_SECRET', value: 'github-webhook-inbox-development' },
  slack: { variable: 'SLACK_SIGNING_SECRET', value: 'slack-webhook-inbox-development' },
  razorpay: { variable: 'RAZORPAY_WEBHOOK_SECRET', value: 'razorpay-webhook-inbox-development' },
}
