import Database from 'better-sqlite3'
import { integer, sqliteTable, text } from 'drizzle-orm/sqlite-core'
import { Hono, type Context } from 'hono'
import { describe, expect, it } from 'vitest'
import { WebhookError } from '../../src/errors.js'
import { idempotency, type IdempotencyOptions, withIdempotency } from '../../src/idempotency/index.js'
import type { KeyStore } from '../../src/store.js'
import type { SqliteStore } from '../../src/stores/sqlite/index.js'
import { NOW } from '../helpers.js'
import { tempStore } from '../node-helpers.js'

const orders = sqliteTable('orders', { id: integer().primaryKey({ autoIncrement: true }), item: text().notNull() })

/** A deferred promise, so a test decides when a handler goes on. */
function gate() {
  let open!: () => void
  const opened = new Promise<void>((resolve) => (open = resolve))
  return { open, opened }
}

function ordersStore() {
  const { store, path } = tempStore()
  store.database.exec('CREATE TABLE orders (id INTEGER PRIMARY KEY AUTOINCREMENT, item TEXT NOT NULL)')
  const items = () => store.database.prepare('SELECT item FROM orders ORDER BY id').pluck().all()
  return { store, path, items }
}

/**
 * POST /orders inserting its order in `c.get('idempotency').transaction`; `before` runs first
 * in the handler, `after(run)` inside the transaction after the insert and may answer instead.
 */
function ordersApp(
  options: { before?: (run: number) => Promise<void>; after?: (run: number, c: Context) => Response | undefined; idempotency?: Partial<Omit<IdempotencyOptions<Context>, 'store'>> } = {},
) {
  const { store, items } = ordersStore()
  const clock = { now: NOW }
  let runs = 0
  const errors: unknown[] = []
  // The store's own keys, recording the writes the middleware makes outside the transaction.
  const writes: string[] = []
  const keys = {
    ...store.keys,
    finish: (...args: Parameters<SqliteStore['keys']['finish']>) => (writes.push('finish'), store.keys.finish(...args)),
    release: (...args: Parameters<SqliteStore['keys']['release']>) => (writes.push('release'), store.keys.release(...args)),
  }
  const app = new Hono()
  app.onError((error, c) => {
    errors.push(error)
    return c.json({ error: 'failed' }, 500)
  })
  app.post('/orders', idempotency({ store: { keys }, now: () => clock.now, ...options.idempotency }), async (c) => {
    const run = ++runs
    await options.before?.(run)
    return c.get('idempotency').transaction(async (tx) => {
      const [order] = await tx.insert(orders).values((await c.req.json()) as { item: string }).returning()
      return options.after?.(run, c) ?? c.json(order, 201, { location: `/orders/${order!.id}` })
    })
  })
  const post = (key: string | null, body = '{"item":"book"}') =>
    app.request('/orders', { method: 'POST', body, headers: key === null ? {} : { 'idempotency-key': key } })
  const key = (name: string) => store.keys.get({ scope: '', key: name })
  return { app, store, clock, post, items, key, errors, writes, runs: () => runs }
}

const answer = async (response: Response) => ({ status: response.status, replayed: response.headers.get('idempotent-replayed'), body: await response.text() })

describe("idempotency()'s c.get('idempotency').transaction on sqliteStore()", () => {
  it("transaction(fn) commits the order and the key's answer together: the retry gets the same 201, body and location with Idempotent-Replayed: true and runs nothing", async () => {
    const { post, items, key, writes, runs } = ordersApp()
    const first = await post('tx-1')
    const body = await first.text()
    expect([first.status, first.headers.get('location'), first.headers.get('idempotent-replayed'), JSON.parse(body)]).toEqual([201, '/orders/1', null, { id: 1, item: 'book' }])
    expect(await key('tx-1')).toMatchObject({ status: 'completed', responseStatus: 201 })
    const retry = await post('tx-1')
    expect([retry.status, retry.headers.get('location'), retry.headers.get('idempotent-replayed'), await retry.text()]).toEqual([201, '/orders/1', 'true', body])
    expect(runs()).toBe(1)
    expect(items()).toEqual(['book'])
    // Stored by the transaction only: no second finish after it.
    expect(writes).toEqual([])
  })

  it('transaction(fn) whose fn throws after its insert rolls the insert back and releases the key; the retry runs once and stores one order', async () => {
    const { post, items, key, errors, writes, runs } = ordersApp({
      after: (run) => {
        if (run === 1) throw new Error('card declined after the insert')
        return undefined
      },
    })
    expect((await post('tx-2')).status).toBe(500)
    expect(errors).toEqual([expect.objectContaining({ message: 'card declined after the insert' })])
    expect(items()).toEqual([])
    expect(await key('tx-2')).toBeUndefined()
    expect(writes).toEqual(['release'])
    expect((await post('tx-2')).status).toBe(201)
    expect((await answer(await post('tx-2'))).replayed).toBe('true')
    expect([runs(), items()]).toEqual([2, ['book']])
  })

  it('transaction(fn) whose fn answers 500 rolls the insert back, releases the key and sends the 500 as it is; the retry runs anew', async () => {
    const { post, items, key, writes, runs } = ordersApp({ after: (run, c) => (run === 1 ? c.json({ error: 'ledger down' }, 500) : undefined) })
    expect(await answer(await post('tx-3'))).toEqual({ status: 500, replayed: null, body: '{"error":"ledger down"}' })
    expect(items()).toEqual([])
    expect(await key('tx-3')).toBeUndefined()
    // Released by the transaction, not by the middleware after it.
    expect(writes).toEqual([])
    expect((await post('tx-3')).status).toBe(201)
    expect([runs(), items()]).toEqual([2, ['book']])
  })

  it('transaction(fn) keeps a 4xx answer with its insert, like a handler without a transaction', async () => {
    const { post, items, runs } = ordersApp({ after: (_run, c) => c.json({ error: 'out of stock' }, 400) })
    await post('tx-4')
    expect(await answer(await post('tx-4'))).toEqual({ status: 400, replayed: 'true', body: '{"error":"out of stock"}' })
    expect([runs(), items()]).toEqual([1, ['book']])
  })

  it('transaction(fn) for a request without a key, or a method not covered, is a plain transaction: the insert commits with the answer sent as it is, a throw rolls it back, and no key is stored', async () => {
    const { post, items, store } = ordersApp({
      idempotency: { methods: ['PATCH'] },
      after: (run) => {
        if (run === 3) throw new Error('fails after its insert')
        return undefined
      },
    })
    expect(await answer(await post(null))).toEqual({ status: 201, replayed: null, body: '{"id":1,"item":"book"}' })
    expect((await post('not-covered')).status).toBe(201)
    expect((await post(null)).status).toBe(500)
    expect(items()).toEqual(['book', 'book'])
    expect(await store.keys.list()).toEqual([])
  })

  it('transaction(fn) after a retry took the key over (the run outlived lockMs) runs nothing and answers 409 idempotency_key_in_use saying nothing was written', async () => {
    const late = gate()
    const started = gate()
    const { post, clock, items, runs } = ordersApp({
      idempotency: { lockMs: 5000 },
      before: async (run) => {
        if (run !== 1) return
        started.open()
        await late.opened
      },
    })
    const first = post('tx-5')
    await started.opened
    clock.now += 5000
    const takeover = await answer(await post('tx-5'))
    expect(takeover.status).toBe(201)
    late.open()
    const lateAnswer = await first
    const problem = (await lateAnswer.json()) as { code: string; detail: string }
    expect([lateAnswer.status, problem.code, lateAnswer.headers.get('retry-after')]).toEqual([409, 'idempotency_key_in_use', '1'])
    expect(problem.detail).toContain('nothing of this request was written')
    expect([runs(), items()]).toEqual([2, ['book']])
    expect(await answer(await post('tx-5'))).toEqual({ ...takeover, replayed: 'true' })
  })

  it('transaction(fn) whose answer is over maxResponseBytes sends it whole and commits the insert; the retry gets 410 idempotency_response_not_kept and runs nothing', async () => {
    const { post, items, runs } = ordersApp({ idempotency: { maxResponseBytes: 100 }, after: () => new Response('x'.repeat(101), { status: 201 }) })
    expect(await (await post('tx-6')).text()).toHaveLength(101)
    const retry = await post('tx-6')
    expect([retry.status, ((await retry.json()) as { code: string }).code]).toEqual([410, 'idempotency_response_not_kept'])
    expect([runs(), items()]).toEqual([1, ['book']])
  })

  it("transaction() called twice in one request rejects the second with transaction_unsupported; the first committed and its answer is the key's", async () => {
    const { store, items } = ordersStore()
    const errors: unknown[] = []
    const app = new Hono()
    app.onError((error, c) => {
      errors.push(error)
      return c.text('failed', 500)
    })
    app.post('/orders', idempotency({ store }), async (c) => {
      const first = await c.get('idempotency').transaction(async (tx) => c.json((await tx.insert(orders).values({ item: 'first' }).returning())[0], 201))
      await c.get('idempotency').transaction(async (tx) => c.json(await tx.insert(orders).values({ item: 'second' }).returning(), 201))
      return first
    })
    const post = () => app.request('/orders', { method: 'POST', body: '{}', headers: { 'idempotency-key': 'tx-7' } })
    expect((await post()).status).toBe(500)
    expect(errors).toEqual([expect.objectContaining({ code: 'transaction_unsupported', message: expect.stringContaining('already ran for this request') })])
    expect(items()).toEqual(['first'])
    expect(await answer(await post())).toEqual({ status: 201, replayed: 'true', body: '{"id":1,"item":"first"}' })
  })

  it('transaction(fn) whose BEGIN fails (another connection holds the write lock) rejects with store_unavailable, runs nothing and writes nothing', async () => {
    const { store, path, items } = ordersStore()
    const other = new Database(path)
    const errors: unknown[] = []
    let ran = false
    const app = new Hono()
    app.onError((error, c) => {
      errors.push(error)
      return c.text('failed', 503)
    })
    app.post('/orders', idempotency({ store }), async (c) => {
      other.pragma('busy_timeout = 0')
      other.exec('BEGIN IMMEDIATE')
      store.database.pragma('busy_timeout = 0')
      return c.get('idempotency').transaction(async (tx) => {
        ran = true
        return c.json(await tx.insert(orders).values({ item: 'book' }).returning(), 201)
      })
    })
    try {
      expect((await app.request('/orders', { method: 'POST', body: '{}', headers: { 'idempotency-key': 'tx-8' } })).status).toBe(503)
    } finally {
      other.exec('ROLLBACK')
      other.close()
    }
    expect(errors).toEqual([expect.objectContaining({ code: 'store_unavailable', message: expect.stringContaining('idempotency transaction failed') })])
    expect([ran, items()]).toEqual([false, []])
  })
})

describe('transaction() on a store whose keys have no transactions (D1)', () => {
  it("c.get('idempotency').transaction(fn) rejects with transaction_unsupported without running fn, and the key is released", async () => {
    const { store } = tempStore()
    const { transaction: _none, ...keys } = store.keys
    const plain: KeyStore = { keys }
    const errors: unknown[] = []
    let ran = false
    const app = new Hono()
    app.onError((error, c) => {
      errors.push(error)
      return c.text('failed', 500)
    })
    app.post('/orders', idempotency({ store: plain }), (c) =>
      c.get('idempotency').transaction(() => {
        ran = true
        return c.text('created', 201)
      }),
    )
    expect((await app.request('/orders', { method: 'POST', body: '{}', headers: { 'idempotency-key': 'd1-1' } })).status).toBe(500)
    expect(errors).toEqual([expect.objectContaining({ code: 'transaction_unsupported', status: 500, message: expect.stringContaining('D1 has none') })])
    expect(errors[0]).toBeInstanceOf(WebhookError)
    expect(ran).toBe(false)
    expect(await store.keys.get({ scope: '', key: 'd1-1' })).toBeUndefined()
  })
})

describe('withIdempotency(): of(request).transaction', () => {
  it('of(request).transaction(fn) commits the order with the answer, the handler keeps its extra arguments, and the retry is the replay', async () => {
    const { store, items } = ordersStore()
    const seen: string[] = []
    const idempotent = withIdempotency({ store })
    const handler = idempotent(async (request: Request, env: { region: string }) => {
      seen.push(env.region)
      return idempotent.of(request).transaction(async (tx) => {
        const [order] = await tx.insert(orders).values((await request.json()) as { item: string }).returning()
        return Response.json(order, { status: 201 })
      })
    })
    const request = () => new Request('https://api.test/orders', { method: 'POST', body: '{"item":"book"}', headers: { 'idempotency-key': 'w-tx-1' } })
    expect(await answer(await handler(request(), { region: 'eu' }))).toEqual({ status: 201, replayed: null, body: '{"id":1,"item":"book"}' })
    expect(await answer(await handler(request(), { region: 'eu' }))).toEqual({ status: 201, replayed: 'true', body: '{"id":1,"item":"book"}' })
    expect([seen, items()]).toEqual([['eu'], ['book']])
  })

  it('of(request) with a Request the wrapper is not handling (a copy) throws, and the handler fails', async () => {
    const { store } = tempStore()
    const idempotent = withIdempotency({ store })
    const handler = idempotent(async (request) => idempotent.of(new Request(request)).transaction(() => new Response('created', { status: 201 })))
    await expect(handler(new Request('https://api.test/orders', { method: 'POST', body: '{}', headers: { 'idempotency-key': 'w-tx-2' } }))).rejects.toThrow(
      'not handling',
    )
    expect(await store.keys.get({ scope: '', key: 'w-tx-2' })).toBeUndefined()
  })
})
