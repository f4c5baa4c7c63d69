// The bindings wrangler.toml and the secrets give the example Worker: one secret per
// built-in provider, under the variable providers/registry.ts names.
declare global {
  interface Env {
    DB: D1Database
    STRIPE_WEBHOOK_SECRET: string
    GITHUB_WEBHOOK_SECRET: string
    SLACK_SIGNING_SECRET: string
    RAZORPAY_WEBHOOK_SECRET: string
    STANDARD_WEBHOOKS_SECRET: string
    SVIX_WEBHOOK_SECRET: string
    CLERK_WEBHOOK_SIGNING_SECRET: string
    RESEND_WEBHOOK_SECRET: string
    SHOPIFY_API_SECRET: string
    PADDLE_WEBHOOK_SECRET: string
    LINEAR_WEBHOOK_SECRET: string
    GITLAB_WEBHOOK_TOKEN: string
    /** Turns the dashboard at /inbox on. */
    INBOX_DASHBOARD_PASSWORD?: string
  }
  namespace Cloudflare {
    interface Env extends globalThis.Env {}
  }
}

export {}
