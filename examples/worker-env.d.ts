// The bindings wrangler.toml and the secrets give the example Worker.
declare global {
  interface Env {
    DB: D1Database
    STRIPE_WEBHOOK_SECRET: string
    GITHUB_WEBHOOK_SECRET: string
    SLACK_SIGNING_SECRET: string
    RAZORPAY_WEBHOOK_SECRET: string
    /** Turns the dashboard at /inbox on. */
    INBOX_DASHBOARD_PASSWORD?: string
  }
  namespace Cloudflare {
    interface Env extends globalThis.Env {}
  }
}

export {}
