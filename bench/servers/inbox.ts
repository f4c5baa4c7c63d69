// e–k. webhook-inbox on Node over a SQLite file (or Postgres, with PG_URL), the default (deadline) mode, one no-op handler.
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
})
inbox.onAny(() => {})
const served = await serve(inbox, { port: 0, sweeper: false })
console.log(`port ${served.port}`)

