import { Hono } from 'hono'
import { expect, it } from 'vitest'
import { idempotency } from '../../src/idempotency/index.js'
import { describeEachServer } from '../server-stores.js'

describeEachServer('idempotency() middleware on a server store', (dialect) => {
  it('runs the handler once for 20 concurrent identical requests with one key over two instances; the rest get 409 or the replay', async () => {
    const place = await dialect.fresh('idem')
    const [first, second] = [place.open(), place.open()]
    await Promise.all([first.ready(), second.ready()])
    let runs = 0
    const instances = [first, second].map((store) => {
      const app = new Hono()
      app.post('/orders', idempotency({ store }), (c) => {
        runs++
        return c.json({ id: `ord_${runs}` }, 201)
      })
      return app
    })
    const post = (i: number) =>
      instances[i % 2]!.request('/orders', { method: 'POST', body: '{"item":"book"}', headers: { 'idempotency-key': 'race' } })

    const answers = await Promise.all(Array.from({ length: 20 }, (_, i) => post(i)))
    expect(runs).toBe(1)
    const fresh = answers.filter((a) => a.status === 201 && a.headers.get('idempotent-replayed') === null)
    const replayed = answers.filter((a) => a.status === 201 && a.headers.get('idempotent-replayed') === 'true')
    const inUse = answers.filter((a) => a.status === 409)
    expect([fresh.length, replayed.length + inUse.length]).toEqual([1, 19])
    for (const answer of replayed) expect(await answer.json()).toEqual({ id: 'ord_1' })

    const later = await post(1)
    expect([later.status, later.headers.get('idempotent-replayed'), await later.json()]).toEqual([201, 'true', { id: 'ord_1' }])
    expect(runs).toBe(1)
    expect(await first.keys.get({ scope: '', key: 'race' })).toMatchObject({ status: 'completed', responseStatus: 201 })
  })

  it('replays a 1.7 MB answer byte for byte and runs the handler once', async () => {
    const store = (await dialect.fresh('idem_big')).open()
    const big = Uint8Array.from({ length: 1_700_000 }, (_, i) => (i * 7919) % 256)
    let runs = 0
    const app = new Hono()
    app.post('/reports', idempotency({ store }), () => {
      runs++
      return new Response(big, { status: 201, headers: { 'content-type': 'application/octet-stream' } })
    })
    const post = () => app.request('/reports', { method: 'POST', body: '{}', headers: { 'idempotency-key': 'big' } })
    // Buffer.equals, not toEqual: a deep compare of 1.7 million elements takes a minute.
    expect(Buffer.from(await (await post()).arrayBuffer()).equals(big)).toBe(true)
    const replay = await post()
    expect([replay.status, replay.headers.get('idempotent-replayed')]).toEqual([201, 'true'])
    expect(Buffer.from(await replay.arrayBuffer()).equals(big)).toBe(true)
    expect(runs).toBe(1)
  })

  it("c.get('idempotency').transaction(fn) over two instances: of 20 concurrent requests with one key, one writes, the rest get 409 or its committed answer", async () => {
    const place = await dialect.fresh('idem_tx')
    const [first, second] = [place.open(), place.open()]
    await Promise.all([first.ready(), second.ready()])
    await place.effects.create()
    const instances = [first, second].map((store, instance) => {
      const app = new Hono()
      app.post('/orders', idempotency({ store }), (c) =>
        c.get('idempotency').transaction(async (tx) => {
          await place.effects.insert(tx, `instance-${instance}`)
          return c.json({ instance }, 201)
        }),
      )
      return app
    })
    const post = (i: number) => instances[i % 2]!.request('/orders', { method: 'POST', body: '{}', headers: { 'idempotency-key': 'tx-race' } })

    const answers = await Promise.all(Array.from({ length: 20 }, (_, i) => post(i)))
    const written = await place.effects.ids()
    expect(written).toHaveLength(1)
    const committed = { instance: Number(written[0]!.slice('instance-'.length)) }
    expect(answers.filter((a) => a.status === 201 && a.headers.get('idempotent-replayed') === null)).toHaveLength(1)
    for (const answer of answers) {
      if (answer.status === 201) expect(await answer.json()).toEqual(committed)
      else expect(answer.status).toBe(409)
    }
    const later = await post(0)
    expect([later.status, later.headers.get('idempotent-replayed'), await later.json()]).toEqual([201, 'true', committed])
    expect(await place.effects.ids()).toEqual(written)
  })

  it("c.get('idempotency').transaction(fn) answering 500 rolls its write back and releases the key; the retry writes once", async () => {
    const place = await dialect.fresh('idem_tx_500')
    const store = place.open()
    await store.ready()
    await place.effects.create()
    let runs = 0
    const app = new Hono()
    app.post('/orders', idempotency({ store }), (c) =>
      c.get('idempotency').transaction(async (tx) => {
        await place.effects.insert(tx, `run-${++runs}`)
        return runs === 1 ? c.json({ error: 'ledger down' }, 500) : c.json({ run: runs }, 201)
      }),
    )
    const post = () => app.request('/orders', { method: 'POST', body: '{}', headers: { 'idempotency-key': 'tx-500' } })
    expect((await post()).status).toBe(500)
    expect(await place.effects.ids()).toEqual([])
    expect(await store.keys.get({ scope: '', key: 'tx-500' })).toBeUndefined()
    expect((await post()).status).toBe(201)
    expect(await place.effects.ids()).toEqual(['run-2'])
  })
})
