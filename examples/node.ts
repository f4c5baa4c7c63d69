// The example server: every provider on POST /webhooks/:provider, with the handlers of
// examples/handlers.ts, over Postgres or MySQL when DATABASE_URL is a postgres:// or
// mysql:// URL, else over a SQLite file (examples/store.ts). In your own project, import
// from 'webhook-inbox', 'webhook-inbox/providers', 'webhook-inbox/stores/…' and
// 'webhook-inbox/node' instead of these relative paths.
import { Hono } from 'hono'
import { createProviders } from '../providers/index.js'
import { dashboard } from '../src/dashboard/index.js'
import { createInbox } from '../src/index.js'
import { serve } from '../src/node/index.js'
import { examplePort, exampleSecrets, PROVIDER_NAMES } from './dev-secrets.js'
import { handleExampleEvents } from './handlers.js'
import { exampleStore } from './store.js'

const { secrets, defaulted } = exampleSecrets()
const { store, name: storeName } = exampleStore()
// Connect and migrate now, so a wrong DATABASE_URL stops the server here with a clear error.
if ('ready' in store) await store.ready()

const inbox = createInbox({
  store,
  // Every built-in provider; in your app, name the ones you use: { stripe: stripe({ secret }), … }.
  providers: createProviders(secrets),
})
handleExampleEvents(inbox)

// The dashboard at /inbox; in production set INBOX_DASHBOARD_PASSWORD (never the development one).
const dashboardAuth = { username: 'ops', password: process.env.INBOX_DASHBOARD_PASSWORD || 'development-only' }

const app = new Hono()
app.get('/', (c) => c.text(`webhook-inbox example: POST signed webhooks to /webhooks/{${PROVIDER_NAMES.join(',')}}\n`))
app.route('/webhooks', inbox.routes())
app.route('/inbox', dashboard(inbox, { auth: dashboardAuth }))

// Serves on 127.0.0.1, runs the sweeper in this process, and on SIGTERM/SIGINT
// lets running handlers finish (or gives their events back) before it exits.
const served = await serve(inbox, { fetch: app.fetch, port: examplePort() }).catch((error: Error) => {
  console.error(`${error.message} (e.g. PORT=3001 npm start)`)
  process.exit(1)
})
console.log(`webhook-inbox listening on http://127.0.0.1:${served.port}/webhooks/:provider (store: ${storeName})`)
console.log(`dashboard: http://127.0.0.1:${served.port}/inbox (user ${dashboardAuth.username}${process.env.INBOX_DASHBOARD_PASSWORD ? '' : `, development password ${dashboardAuth.password}`})`)
if (defaulted.length > 0) console.log(`development secrets in use (set these variables to override):\n  ${defaulted.join('\n  ')}`)
