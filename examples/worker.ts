// The Cloudflare Worker example: every provider on POST /webhooks/:provider over D1, with the
// handlers of examples/handlers.ts, the sweeper on a cron trigger. Secrets come from the
// Worker's env (`wrangler secret put`, or `.dev.vars` locally: cp .dev.vars.example .dev.vars).
// In your own project, import from 'webhook-inbox', 'webhook-inbox/providers' and
// 'webhook-inbox/stores/d1' instead of these paths, and name only the providers you use.
import { env } from 'cloudflare:workers'
import { Hono } from 'hono'
import { BUILT_IN_PROVIDERS, type BuiltInProviderName, createProviders } from '../providers/index.js'
import { dashboard } from '../src/dashboard/index.js'
import { createInbox } from '../src/index.js'
import { d1Store } from '../src/stores/d1/index.js'
import { handleExampleEvents } from './handlers.js'
import { secretsFrom } from './provider-secrets.js'

// Every provider's secret, all checked here, so a missing one is named by its variable.
const { secrets, missing } = secretsFrom(env as unknown as Record<string, unknown>)
if (missing.length > 0) {
  const variables = missing.map((provider) => BUILT_IN_PROVIDERS[provider].secretVariable)
  throw new Error(`example Worker: set ${variables.join(', ')} (wrangler secret put NAME; locally cp .dev.vars.example .dev.vars)`)
}

const inbox = handleExampleEvents(
  createInbox({
    store: d1Store(env.DB),
    providers: createProviders(secrets as Record<BuiltInProviderName, string>),
    // Workers answer first and finish in ctx.waitUntil; the cron sweeper retries failures.
    mode: 'queue',
  }),
)

// The dashboard at /inbox, only when a password is set (`wrangler secret put INBOX_DASHBOARD_PASSWORD`).
const app = new Hono()
if (env.INBOX_DASHBOARD_PASSWORD) app.route('/inbox', dashboard(inbox, { auth: { username: 'ops', password: env.INBOX_DASHBOARD_PASSWORD } }))
// Everything else is a delivery: the path's last segment names the provider.
app.all('*', (c) => inbox.fetch(c.req.raw, c.env, c.executionCtx))

export default { fetch: app.fetch, scheduled: inbox.scheduled } satisfies ExportedHandler<Env>
