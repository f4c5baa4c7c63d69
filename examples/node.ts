// The example server: every provider on POST /webhooks/:provider, over Postgres when
// DATABASE_URL is a postgres:// URL, else over a SQLite file. In your own project, import
// from 'webhook-inbox', 'webhook-inbox/providers', 'webhook-inbox/stores/postgres' (or
// /stores/sqlite) and 'webhook-inbox/node' instead of these relative paths.
import { Hono } from 'hono'
import { github, razorpay, slack, stripe } from '../providers/index.js'
import { createInbox } from '../src/index.js'
import { serve } from '../src/node.js'
import { postgresStore } from '../src/stores/postgres/index.js'
import { sqliteStore } from '../src/stores/sqlite.js'
import { examplePort, exampleSecrets } from './dev-secrets.js'

const { secrets, defaulted } = exampleSecrets()
const databaseUrl = process.env.DATABASE_URL ?? ''
const dbPath = process.env.WEBHOOK_INBOX_DB ?? 'webhooks.db'
const onPostgres = /^postgres(ql)?:\/\//.test(databaseUrl)
if (databaseUrl !== '' && !onPostgres) console.log('DATABASE_URL is not a postgres:// URL; ignoring it')
const store = onPostgres ? postgresStore({ connectionString: databaseUrl }) : sqliteStore({ path: dbPath })
// Connect and migrate now, so a wrong DATABASE_URL stops the server here with a clear error.
if ('ready' in store) await store.ready()

const inbox = createInbox({
  store,
  providers: {
    stripe: stripe({ secret: secrets.stripe }),
    github: github({ secret: secrets.github }),
    slack: slack({ secret: secrets.slack }),
    razorpay: razorpay({ secret: secrets.razorpay }),
  },
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
inbox.onAny((event) => {
  if (event.replay) console.log(`${event.provider} ${event.id}: replayed (run ${event.attempt})`)
})
inbox.onError((error, event) => {
  console.error(`${error.status} ${error.code}${event ? ` (${event.provider} ${event.id})` : ''}: ${error.message}`)
})

const app = new Hono()
app.get('/', (c) => c.text('webhook-inbox example: POST signed webhooks to /webhooks/{stripe,github,slack,razorpay}\n'))
app.route('/webhooks', inbox.routes())

// Serves on 127.0.0.1, runs the retry sweeper in this process, and on SIGTERM/SIGINT
// lets running handlers finish (or gives their events back) before it exits.
const served = await serve(inbox, { fetch: app.fetch, port: examplePort() }).catch((error: Error) => {
  console.error(`${error.message} (e.g. PORT=3001 npm start)`)
  process.exit(1)
})
console.log(`webhook-inbox listening on http://127.0.0.1:${served.port}/webhooks/:provider (store: ${onPostgres ? 'postgres from DATABASE_URL' : `sqlite ${dbPath}`})`)
if (defaulted.length > 0) console.log(`development secrets in use (set these variables to override):\n  ${defaulted.join('\n  ')}`)
