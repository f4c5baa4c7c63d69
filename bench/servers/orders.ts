// i–j. An orders endpoint on Hono over a SQLite file, without (i) and with (j)
// idempotency(); the load sends a fresh Idempotency-Key with every request to both.
import { serve } from '@hono/node-server'
import { Hono } from 'hono'
import { idempotency } from '../../src/idempotency/index.js'
import { sqliteStore } from '../../src/stores/sqlite/index.js'

const store = sqliteStore({ path: process.env.WEBHOOK_INBOX_DB ?? 'bench.db' })
const app = new Hono()
if (process.env.IDEMPOTENCY === '1') app.use(idempotency({ store }))
app.post('*', async (c) => c.json({ id: 'ord_1', bytes: (await c.req.arrayBuffer()).byteLength }, 201))
serve({ fetch: app.fetch, port: 0, hostname: '127.0.0.1' }, (info) => console.log(`port ${info.port}`))
