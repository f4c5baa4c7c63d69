import { Hono } from 'hono'
import { describe, expect, it } from 'vitest'
import { idempotency, type IdempotencyOptions } from '../../src/idempotency/index.js'
import type { Context } from 'hono'
import { NOW } from '../helpers.js'
import { tempStore } from '../node-helpers.js'

/** A deferred promise, so a test decides when a handler finishes. */
function gate() {
  let open!: () => void
  const opened = new Promise<void>((resolve) => (open = resolve))
  return { open, opened }
}

/** An orders endpoint behind the middleware; `answer` decides each run's response. */
function ordersApp(options: Partial<IdempotencyOptions<Context>> = {}, answer?: (c: Context, run: number) => Response | Promise<Response>) {
  const { store } = tempStore()
  const clock = { now: NOW }
  let runs = 0
  const app = new Hono()
  app.post('/orders', idempotency({ store, now: () => clock.now, ...options }), async (c) => {
    runs++
    if (answer) return answer(c, runs)
    const order = (await c.req.json()) as { item: string }
    return c.json({ id: `ord_${runs}`, item: order.item }, 201, { location: `/orders/ord_${runs}`, 'x-request-id': `req_${runs}` })
  })
  app.get('/orders', (c) => {
    runs++
    return c.json([])
  })
  const post = (key: string | null, body = '{"item":"book"}', path = '/orders', headers: Record<string, string> = {}) =>
    app.request(path, { method: 'POST', body, headers: key === null ? headers : { ...headers, 'idempotency-key': key } })
  return { app, store, clock, post, runs: () => runs }
}

const rowCount = (store: ReturnType<typeof tempStore>['store']) => store.database.prepare('select count(*) as n from idempotency_keys').get()

describe('idempotency() middleware', () => {
  it('runs the handler for a new key, then replays its status, body and location byte for byte with Idempotent-Replayed: true', async () => {
    const { post, runs } = ordersApp()
    const first = await post('key-1')
    const firstBody = new Uint8Array(await first.arrayBuffer())
    const replay = await post('key-1')
    expect([replay.status, replay.headers.get('idempotent-replayed'), replay.headers.get('location'), replay.headers.get('content-type')]).toEqual([
      201,
      'true',
      '/orders/ord_1',
      first.headers.get('content-type'),
    ])
    expect(new Uint8Array(await replay.arrayBuffer())).toEqual(firstBody)
    expect(first.headers.get('idempotent-replayed')).toBeNull()
    expect(runs()).toBe(1)
  })

  it('replays only content-type, location and the headers listed in storedHeaders', async () => {
    const plain = ordersApp()
    await plain.post('key-h')
    expect((await plain.post('key-h')).headers.get('x-request-id')).toBeNull()
    const listed = ordersApp({ storedHeaders: ['X-Request-Id'] })
    await listed.post('key-h')
    expect((await listed.post('key-h')).headers.get('x-request-id')).toBe('req_1')
  })

  it('answers 409 problem+json to the same key while the first request runs, without running the handler', async () => {
    const running = gate()
    const started = gate()
    const { post, runs } = ordersApp({}, async (c) => {
      started.open()
      await running.opened
      return c.json({ ok: true }, 201)
    })
    const first = post('key-2')
    await started.opened
    const second = await post('key-2')
    expect(second.status).toBe(409)
    expect(second.headers.get('content-type')).toBe('application/problem+json')
    expect(await second.json()).toMatchObject({ type: 'urn:webhook-inbox:problem:idempotency_key_in_use', title: expect.any(String), detail: expect.stringContaining('retry'), status: 409 })
    running.open()
    expect((await first).status).toBe(201)
    expect(runs()).toBe(1)
  })

  it('answers 422 to the same key with another body while the first runs, and with another body or query once it completed', async () => {
    const running = gate()
    const started = gate()
    const { post, runs } = ordersApp({}, async (c, run) => {
      started.open()
      if (run === 1) await running.opened
      return c.json({ run }, 201)
    })
    const first = post('key-3')
    await started.opened
    expect((await post('key-3', '{"item":"pen"}')).status).toBe(422)
    running.open()
    await first
    expect((await post('key-3', '{"item":"pen"}')).status).toBe(422)
    const otherQuery = await post('key-3', '{"item":"book"}', '/orders?coupon=1')
    expect([otherQuery.status, ((await otherQuery.json()) as { code: string }).code]).toEqual([422, 'idempotency_key_reused'])
    expect(runs()).toBe(1)
  })

  it('answers 400 idempotency_key_missing to a request without a key when required, and stores nothing', async () => {
    const { post, runs, store } = ordersApp({ required: true })
    const response = await post(null)
    expect([response.status, ((await response.json()) as { code: string }).code]).toEqual([400, 'idempotency_key_missing'])
    expect(runs()).toBe(0)
    expect(rowCount(store)).toEqual({ n: 0 })
  })

  it('passes a request without a key, and a GET with one, through to the handler and stores nothing', async () => {
    const { app, post, runs, store } = ordersApp()
    expect((await post(null)).status).toBe(201)
    expect((await post(null)).status).toBe(201)
    expect((await app.request('/orders', { headers: { 'idempotency-key': 'k' } })).status).toBe(200)
    expect(runs()).toBe(3)
    expect(rowCount(store)).toEqual({ n: 0 })
  })

  for (const [what, key] of [
    ['an empty key', ''],
    ['a key of 256 characters', 'k'.repeat(256)],
    ['a non-ASCII key', 'clé'],
    ['a key with a control character', 'a\tb'],
    ['an unterminated quoted string', '"abc'],
    ['a quoted string with a bare backslash', '"a\\b"'],
  ] as const) {
    it(`answers 400 idempotency_key_malformed to ${what}, without running the handler or storing a row`, async () => {
      const { post, runs, store } = ordersApp()
      const response = await post(key)
      expect([response.status, ((await response.json()) as { code: string }).code]).toEqual([400, 'idempotency_key_malformed'])
      expect(runs()).toBe(0)
      expect(rowCount(store)).toEqual({ n: 0 })
    })
  }

  it('takes a quoted-string key ("…", the IETF form) as the same key as its raw form', async () => {
    const { post, runs } = ordersApp()
    await post('"order-\\"7\\""')
    expect((await post('order-"7"')).headers.get('idempotent-replayed')).toBe('true')
    expect(runs()).toBe(1)
    expect((await post('k'.repeat(255))).status).toBe(201)
  })

  it('keeps nothing when the handler throws: the client gets the error answer and its retry runs the handler again', async () => {
    const { app, post, runs, store } = ordersApp({}, (c, run) => {
      if (run === 1) throw new Error('payment provider down')
      return c.json({ run }, 201)
    })
    app.onError((_error, c) => c.json({ error: 'failed' }, 400))
    expect((await post('key-4')).status).toBe(400)
    expect(rowCount(store)).toEqual({ n: 0 })
    expect((await post('key-4')).status).toBe(201)
    expect(runs()).toBe(2)
  })

  for (const status of [500, 503, 409, 429] as const) {
    it(`releases the key when the handler answers ${status}, so the retry runs the handler again`, async () => {
      const { post, runs } = ordersApp({}, (c, run) => c.json({ run }, run === 1 ? status : 201))
      expect((await post('key-5')).status).toBe(status)
      expect((await post('key-5')).status).toBe(201)
      expect(runs()).toBe(2)
    })
  }

  it('keeps and replays a 4xx answer such as 400', async () => {
    const { post, runs } = ordersApp({}, (c) => c.json({ error: 'invalid card' }, 400))
    await post('key-6')
    const replay = await post('key-6')
    expect([replay.status, replay.headers.get('idempotent-replayed')]).toEqual([400, 'true'])
    expect(runs()).toBe(1)
  })

  it('keeps the key completed when the answer is over maxResponseBytes: the client gets it whole, a retry gets 410 idempotency_response_not_kept and does not run', async () => {
    const { post, runs } = ordersApp({ maxResponseBytes: 1000 }, () => new Response('x'.repeat(1001), { status: 201 }))
    expect(await (await post('key-7')).text()).toHaveLength(1001)
    const retry = await post('key-7')
    const problem = (await retry.json()) as { code: string; detail: string }
    expect([retry.status, problem.code, retry.headers.get('content-type')]).toEqual([410, 'idempotency_response_not_kept', 'application/problem+json'])
    expect(problem.detail).toContain('1,001 bytes')
    expect(runs()).toBe(1)
  })

  it('replays a 1.7 MB answer byte for byte and runs the handler once', async () => {
    const big = Uint8Array.from({ length: 1_700_000 }, (_, i) => (i * 7919) % 256)
    const { post, runs } = ordersApp({}, () => new Response(big, { status: 201, headers: { 'content-type': 'application/octet-stream' } }))
    // Buffer.equals, not toEqual: a deep compare of 1.7 million elements takes a minute.
    expect(Buffer.from(await (await post('key-big')).arrayBuffer()).equals(big)).toBe(true)
    const replay = await post('key-big')
    expect([replay.status, replay.headers.get('idempotent-replayed')]).toEqual([201, 'true'])
    expect(Buffer.from(await replay.arrayBuffer()).equals(big)).toBe(true)
    expect(runs()).toBe(1)
  })

  it('answers 422 idempotency_key_reused to the same key with another body or query after lockMs while the first still runs; it does not run', async () => {
    const running = gate()
    const started = gate()
    const { post, clock, runs } = ordersApp({ lockMs: 5000 }, async (c, run) => {
      started.open()
      if (run === 1) await running.opened
      return c.json({ run }, 201)
    })
    const first = post('key-11')
    await started.opened
    clock.now += 5000
    for (const answer of [await post('key-11', '{"item":"pen"}'), await post('key-11', undefined, '/orders?coupon=1')]) {
      expect([answer.status, ((await answer.json()) as { code: string }).code]).toEqual([422, 'idempotency_key_reused'])
    }
    running.open()
    expect((await first).status).toBe(201)
    expect(runs()).toBe(1)
  })

  it('lets a retry take over a key once the run holding it outlived lockMs; the late run is answered but not stored', async () => {
    const running = gate()
    const started = gate()
    const { post, clock, runs, store } = ordersApp({ lockMs: 5000 }, async (c, run) => {
      started.open()
      if (run === 1) await running.opened
      return c.json({ run }, 201)
    })
    const late = post('key-8')
    await started.opened
    clock.now += 5000
    expect(await (await post('key-8')).json()).toEqual({ run: 2 })
    running.open()
    expect(await (await late).json()).toEqual({ run: 1 })
    expect(await (await post('key-8')).json()).toEqual({ run: 2 })
    expect(runs()).toBe(2)
    expect((await store.keys.list())[0]).toMatchObject({ status: 'completed' })
  })

  it('runs a key reused after its ttl as a new request, even with another body', async () => {
    const { post, clock, runs } = ordersApp({ ttl: 10_000 })
    await post('key-9')
    clock.now += 10_000
    expect((await post('key-9', '{"item":"pen"}')).headers.get('idempotent-replayed')).toBeNull()
    expect(runs()).toBe(2)
  })

  it('keeps the same key apart for two scopes (accounts)', async () => {
    const { post, runs } = ordersApp({ scope: (c) => c.req.header('x-account') ?? '' })
    await post('shared', undefined, undefined, { 'x-account': 'acct_1' })
    const other = await post('shared', '{"item":"pen"}', undefined, { 'x-account': 'acct_2' })
    expect([other.status, other.headers.get('idempotent-replayed')]).toEqual([201, null])
    expect((await post('shared', undefined, undefined, { 'x-account': 'acct_1' })).headers.get('idempotent-replayed')).toBe('true')
    expect(runs()).toBe(2)
  })

  it('purges expired keys in a bounded batch from a later request, without an inbox', async () => {
    const { post, clock, store } = ordersApp({ ttl: 1000 })
    for (const key of ['old-1', 'old-2', 'old-3']) await post(key)
    clock.now += 61_000
    await post('fresh')
    const deadline = Date.now() + 5000
    while ((rowCount(store) as { n: number }).n !== 1 && Date.now() < deadline) await new Promise((resolve) => setImmediate(resolve))
    expect((await store.keys.list()).map((key) => key.key)).toEqual(['fresh'])
  })

  it('answers 503 store_unavailable and runs nothing when the store cannot be reached', async () => {
    const { post, runs, store } = ordersApp()
    await store.close()
    const response = await post('key-10')
    expect([response.status, ((await response.json()) as { code: string }).code]).toEqual([503, 'store_unavailable'])
    expect(runs()).toBe(0)
  })
})
