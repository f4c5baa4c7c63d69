// e–h. webhook-inbox on Node over a SQLite file, the default (deadline) mode, one no-op handler.
import { github, stripe } from '../../providers/index.js'
import { createInbox } from '../../src/index.js'
import { serve } from '../../src/node.js'
import { sqliteStore } from '../../src/stores/sqlite.js'
import { SECRET } from './listen.js'

const durability = process.env.DURABILITY === 'full' ? 'full' : 'process'
const inbox = createInbox({
  store: sqliteStore({ path: process.env.WEBHOOK_INBOX_DB ?? 'bench.db', durability }),
  providers: { github: github({ secret: SECRET }), stripe: stripe({ secret: SECRET }) },
})
inbox.onAny(() => {})
const served = await serve(inbox, { port: 0, worker: false })
console.log(`port ${served.port}`)

