// A small orders API with safe retries: POST /orders behind idempotency(), over a SQLite
// file (orders.db, or $WEBHOOK_INBOX_DB). Run with `npm run example:orders`; "Try it" in
// docs/idempotency.md lists curl commands to run against it, in order, with each answer.
// The keys: `npm run --silent cli -- keys list --db orders.db`. In your own project,
// import from 'webhook-inbox/idempotency' and 'webhook-inbox/stores/sqlite'.
import { serve } from '@hono/node-server'
import { Hono } from 'hono'
import { idempotency } from '../src/idempotency/index.js'
import { sqliteStore } from '../src/stores/sqlite/index.js'

const store = sqliteStore({ path: process.env.WEBHOOK_INBOX_DB ?? 'orders.db' })
const app = new Hono<{ Variables: { account: string } }>()

// Authentication first, so a 401 is never remembered as a key's answer. A real app
// checks a token here; the example takes the account from a header.
app.use('/orders', async (c, next) => {
  const account = c.req.header('x-account')
  if (!account) return c.json({ error: 'x-account header required' }, 401)
  c.set('account', account)
  await next()
})

let next = 1
app.post('/orders', idempotency({ store, required: true, scope: (c) => c.get('account') }), async (c) => {
  const { item, quantity } = (await c.req.json()) as { item: string; quantity: number }
  // Slow enough that a second click lands while this runs (409).
  await new Promise((resolve) => setTimeout(resolve, Number(process.env.ORDER_MS ?? 2000)))
  const id = `ord_${next++}`
  return c.json({ id, item, quantity, account: c.get('account') }, 201, { location: `/orders/${id}` })
})

const port = Number(process.env.PORT ?? 3001)
serve({ fetch: app.fetch, port, hostname: '127.0.0.1' }, () => console.log(`orders API on http://127.0.0.1:${port}/orders`))
