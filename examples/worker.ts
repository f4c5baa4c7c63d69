// The Cloudflare Worker example: every provider on POST /webhooks/:provider over D1,
// the sweeper on a cron trigger. Secrets come from the Worker's env (`wrangler secret
// put`, or `.dev.vars` locally). In your own project, import from 'webhook-inbox',
// 'webhook-inbox/providers' and 'webhook-inbox/stores/d1' instead of these paths.
import { env } from 'cloudflare:workers'
import { Hono } from 'hono'
import { github, razorpay, slack, stripe } from '../providers/index.js'
import { dashboard } from '../src/dashboard/index.js'
import { createInbox } from '../src/index.js'
import { d1Store } from '../src/stores/d1/index.js'

const inbox = createInbox({
  store: d1Store(env.DB),
  providers: {
    stripe: stripe({ secret: env.STRIPE_WEBHOOK_SECRET }),
    github: github({ secret: env.GITHUB_WEBHOOK_SECRET }),
    slack: slack({ secret: env.SLACK_SIGNING_SECRET }),
    razorpay: razorpay({ secret: env.RAZORPAY_WEBHOOK_SECRET }),
  },
  // Workers answer first and finish in ctx.waitUntil; the cron sweeper retries failures.
  mode: 'queue',
})

inbox.on('stripe', 'payment_intent.succeeded', (event) => {
  console.log(`stripe ${event.id}: payment ${event.payload.data.object.id} succeeded`)
})
inbox.on('github', 'issues', (event) => {
  console.log(`github ${event.id}: ${event.type} #${event.payload.issue.number}`)
})
inbox.on('slack', 'slash_command', (event) => ({ response_type: 'ephemeral', text: `Got ${event.payload.command}` }))
inbox.onAny((event) => {
  console.log(`${event.provider} ${event.id}: ${event.type} (attempt ${event.attempt})`)
})

// The dashboard at /inbox, only when a password is set (`wrangler secret put INBOX_DASHBOARD_PASSWORD`).
const app = new Hono()
if (env.INBOX_DASHBOARD_PASSWORD) app.route('/inbox', dashboard(inbox, { auth: { username: 'ops', password: env.INBOX_DASHBOARD_PASSWORD } }))
// Everything else is a delivery: the path's last segment names the provider.
app.all('*', (c) => inbox.fetch(c.req.raw, c.env, c.executionCtx))

export default { fetch: app.fetch, scheduled: inbox.scheduled } satisfies ExportedHandler<Env>
