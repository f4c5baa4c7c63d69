// The example server: every provider on POST /webhooks/:provider, over Postgres or MySQL
// when DATABASE_URL is a postgres:// or mysql:// URL, else over a SQLite file. In your own
// project, import from 'webhook-inbox', 'webhook-inbox/providers',
// 'webhook-inbox/stores/postgres' (or /stores/mysql, /stores/sqlite) and 'webhook-inbox/node'
// instead of these relative paths.
import { Hono } from 'hono'
import { createProviders } from '../providers/index.js'
import { dashboard } from '../src/dashboard/index.js'
import { createInbox } from '../src/index.js'
import { serve } from '../src/node/index.js'
import { mysqlStore } from '../src/stores/mysql/index.js'
import { postgresStore } from '../src/stores/postgres/index.js'
import { sqliteStore } from '../src/stores/sqlite/index.js'
import { examplePort, exampleSecrets, PROVIDER_NAMES } from './dev-secrets.js'

const { secrets, defaulted } = exampleSecrets()
const databaseUrl = process.env.DATABASE_URL ?? ''
const dbPath = process.env.WEBHOOK_INBOX_DB ?? 'webhooks.db'
const onPostgres = /^\s*postgres(ql)?:\/\//i.test(databaseUrl)
const onMysql = /^\s*(mysql|mariadb):\/\//i.test(databaseUrl)
if (databaseUrl !== '' && !onPostgres && !onMysql) console.log('DATABASE_URL is not a postgres:// or mysql:// URL; ignoring it')
const store = onPostgres
  ? postgresStore({ connectionString: databaseUrl.trim() })
  : onMysql
    ? mysqlStore({ uri: databaseUrl.trim() })
    : sqliteStore({ path: dbPath })
// Connect and migrate now, so a wrong DATABASE_URL stops the server here with a clear error.
if ('ready' in store) await store.ready()

const inbox = createInbox({
  store,
  // Every built-in provider; in your app, name the ones you use: { stripe: stripe({ secret }), … }.
  providers: createProviders(secrets),
})

inbox.on('stripe', 'payment_intent.succeeded', (event) => {
  const intent = event.payload.data.object
  console.log(`stripe  ${event.id}: payment ${intent.id} succeeded, ${intent.amount} ${intent.currency}`)
})
inbox.on('github', 'issues', (event) => {
  console.log(`github  ${event.id}: ${event.type} #${event.payload.issue.number} in ${event.payload.repository.full_name}`)
})
inbox.on('github', 'push', (event) => {
  console.log(`github  ${event.id}: push of ${event.payload.commits.length} commit(s) to ${event.payload.ref}`)
})
inbox.on('slack', 'app_mention', (event) => {
  console.log(`slack   ${event.id}: app_mention from team ${event.payload.team_id}`)
})
inbox.on('slack', 'slash_command', (event) => ({ response_type: 'ephemeral', text: `Got ${event.payload.command}` }))
inbox.on('razorpay', 'payment.captured', (event) => {
  console.log(`razorpay ${event.id}: ${event.type} ${event.payload.payload.payment?.entity.id}`)
})
inbox.on('shopify', 'orders/create', (event) => {
  console.log(`shopify ${event.id}: order ${String(event.payload.name)} created`)
})
inbox.on('gitlab', 'merge_request.merge', (event) => {
  console.log(`gitlab  ${event.id}: ${event.type} in project ${String((event.payload.project as { id?: number } | undefined)?.id)}`)
})
inbox.onAny((event) => {
  if (event.replay) console.log(`${event.provider} ${event.id}: replayed (run ${event.attempt} since the replay)`)
})
inbox.onError((error, event) => {
  // error.cause is what the handler threw, with its stack.
  console.error(`${error.status} ${error.code}${event ? ` (${event.provider} ${event.id})` : ''}: ${error.message}`, error.cause)
})

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
console.log(`webhook-inbox listening on http://127.0.0.1:${served.port}/webhooks/:provider (store: ${onPostgres ? 'postgres from DATABASE_URL' : onMysql ? 'mysql from DATABASE_URL' : `sqlite ${dbPath}`})`)
console.log(`dashboard: http://127.0.0.1:${served.port}/inbox (user ${dashboardAuth.username}${process.env.INBOX_DASHBOARD_PASSWORD ? '' : `, development password ${dashboardAuth.password}`})`)
if (defaulted.length > 0) console.log(`development secrets in use (set these variables to override):\n  ${defaulted.join('\n  ')}`)
