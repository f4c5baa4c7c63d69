// What every server store does beyond the conformance suites, written once: the
// dialect files (postgres.test.ts, mysql.test.ts) keep only what one dialect has.
import { expect, it } from 'vitest'
import type { WebhookError } from '../../src/errors.js'
import { testKeys, testStore, testTransactions } from '../../src/testing/vitest.js'
import { NOW } from '../helpers.js'
import { describeEachServer } from '../server-stores.js'

const request = (key: string) => ({ scope: 'acct_1', key, fingerprint: 'f'.repeat(64), method: 'POST', path: '/orders' })
const LEASE = 60_000

/** A transaction body that keeps its transaction open until `open()`: `begun` resolves once it runs, `order` gets 'fn ends' as it returns. */
function heldOpen(order: string[]) {
  let began!: () => void
  let open!: () => void
  const begun = new Promise<void>((resolve) => (began = resolve))
  const gate = new Promise<void>((resolve) => (open = resolve))
  const body = async () => {
    began()
    await gate
    order.push('fn ends')
  }
  return { begun, open, body }
}
/** Long enough for a statement that does not wait for a row's lock to return. */
const pause = () => new Promise((resolve) => setTimeout(resolve, 200))

describeEachServer('server store', (dialect) => {
  testStore({ name: dialect.name, create: async () => (await dialect.fresh('events')).open() })
  testKeys({ name: dialect.name, create: async () => (await dialect.fresh('keys')).open().keys })
  testTransactions({
    name: dialect.name,
    async create() {
      const place = await dialect.fresh('tx')
      const store = place.open()
      // The store's migrations create the place the user's table goes in.
      await store.ready()
      return { store, table: place.effects }
    },
  })

  it('store.ready() rejects with store_unavailable naming host, port and database, never the password, for an unreachable server', async () => {
    const store = dialect.storeAt(`${new URL(dialect.url).protocol}//inbox:s3cret-pw@127.0.0.1:1/webhooks`)
    const error = await store.ready().then(() => undefined, (e: unknown) => e as WebhookError)
    expect(error).toMatchObject({ code: 'store_unavailable', status: 503 })
    expect(error!.message).toContain('127.0.0.1:1/webhooks')
    expect(error!.message).not.toContain('s3cret-pw')
  })

  it("store.take() from another pool, after the lease ran out, waits while store.transaction() holds the event's row and then finds the handler's record", async () => {
    const place = await dialect.fresh('tx_take')
    const [here, there] = [place.open(), place.open()]
    await Promise.all([here.ready(), there.ready()])
    const key = { provider: 'github', eventId: 'held' }
    await here.claim({ ...key, type: 't', body: '{}', headers: {} }, { now: NOW, leaseMs: LEASE })
    const order: string[] = []
    const held = heldOpen(order)
    const committed = here.transaction({ key, fence: 1, handler: 'ledger', generation: 0, now: NOW + 1 }, held.body)
    await held.begun
    const taken = there.take(key, { now: NOW + LEASE, leaseMs: LEASE }).then((event) => {
      order.push('taken')
      return event
    })
    await pause()
    held.open()
    expect(await committed).toEqual({ held: true, value: undefined })
    expect((await taken)?.fence).toBe(2)
    expect(order).toEqual(['fn ends', 'taken'])
    expect(await there.handled(key, 0)).toEqual(['ledger'])
  })

  it("store.keys.begin() of the same request from another pool, after its lock ran out, waits while store.keys.transaction() holds the key and then replays its answer", async () => {
    const place = await dialect.fresh('tx_key')
    const [here, there] = [place.open(), place.open()]
    await Promise.all([here.ready(), there.ready()])
    const begun = await here.keys.begin(request('held'), { now: NOW, lockMs: 1000, ttl: 60_000 })
    if (begun.outcome !== 'started') throw new Error(`expected started, got ${begun.outcome}`)
    const order: string[] = []
    const held = heldOpen(order)
    const response = { status: 201, headers: {}, body: new Uint8Array([1, 2, 3]) }
    const hold = { id: { scope: 'acct_1', key: 'held' }, token: begun.token, now: NOW, ttl: 60_000 }
    const committed = here.keys.transaction(hold, held.body, async () => response)
    await held.begun
    const retried = there.keys.begin(request('held'), { now: NOW + 1000, lockMs: 1000, ttl: 60_000 }).then((result) => {
      order.push('taken')
      return result
    })
    await pause()
    held.open()
    expect(await committed).toEqual({ held: true, value: undefined })
    expect(await retried).toEqual({ outcome: 'replay', response: { ...response, body: expect.any(Uint8Array) } })
    expect(order).toEqual(['fn ends', 'taken'])
  })

  it('store.keys.begin() on two stores of one place starts exactly one of 20 concurrent begins of one key', async () => {
    const place = await dialect.fresh('keys_race')
    const [a, b] = [place.open(), place.open()]
    await Promise.all([a.ready(), b.ready()])
    const results = await Promise.all(Array.from({ length: 20 }, (_, i) => (i % 2 ? a : b).keys.begin(request('race'), { now: NOW, lockMs: 1000, ttl: 60_000 })))
    expect(results.filter((r) => r.outcome === 'started')).toHaveLength(1)
    expect(results.filter((r) => r.outcome === 'in_flight')).toHaveLength(19)
  })
})
