// e–k. webhook-inbox on Node over a SQLite file (or Postgres, with PG_URL), the default (deadline) mode, one no-op handler.
// ORDERING=1 and TRANSACTION=1 turn on a feature beside that plain path, to measure what it costs.
import { github, stripe } from '../../providers/index.js'
import { createInbox } from '../../src/index.js'
import { serve } from '../../src/node/index.js'
import { postgresStore } from '../../src/stores/postgres/index.js'
import { sqliteStore } from '../../src/stores/sqlite/index.js'
import { SECRET } from './listen.js'

const durability = process.env.DURABILITY === 'full' ? 'full' : 'process'
const inbox = createInbox({
  store: process.env.PG_URL
    ? postgresStore({ connectionString: process.env.PG_URL, schema: process.env.PG_SCHEMA ?? 'public' })
    : sqliteStore({ path: process.env.WEBHOOK_INBOX_DB ?? 'bench.db', durability }),
  providers: { github: github({ secret: SECRET }), stripe: stripe({ secret: SECRET }) },
  // An entity per event, as Stripe's data.object.id mostly is: the uncontended ordered path
  // (every event holds and settles its entity), not the wait for a busy one.
  ...(process.env.ORDERING === '1' && { ordering: { github: (event: { id: string }) => ({ key: event.id, version: 1 }) } }),
})
// TRANSACTION=1: the handler's success record written in a transaction of its own with an
// empty fn, so what is measured is the feature, not a user's writes.
inbox.onAny(process.env.TRANSACTION === '1' ? (_event, ctx) => ctx.transaction(() => undefined) : () => {})
const served = await serve(inbox, { port: 0, sweeper: false })
console.log(`port ${served.port}`)
