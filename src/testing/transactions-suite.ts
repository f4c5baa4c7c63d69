import { describe, expect, it } from 'vitest'
import type { HandlerSuccess, KeyRequest, NewEvent, StoredResponse, TransactionalKeys, TransactionalStore } from '../store.js'
import { NOW } from './now.js'

/** A table of the user's own in the store's database, written through the store's transactions. */
export interface UserTable<Tx> {
  /** Creates it, empty, with one text column for the ids `insert` writes. */
  create(): Promise<void>
  /** Writes `id` through `tx`, inside the transaction. */
  insert(tx: Tx, id: string): Promise<void>
  /** The ids committed, in any order, read outside any transaction. */
  ids(): Promise<string[]>
}

/** How the transactions conformance suite drives one store: its `Tx` is what its transactions hand `fn`. */
export interface TransactionsCase<Tx> {
  /** Names the suite's `describe` block. */
  name: string
  /**
   * A fresh, empty store for one test, with transactional idempotency keys (`store.keys`),
   * and a user's table in its database, not created yet: the suite cannot know the dialect.
   */
  create(): Promise<{ store: TransactionalStore<Tx> & { readonly keys: TransactionalKeys<Tx> }; table: UserTable<Tx> }>
}

const LEASE = 60_000
const LOCK = 60_000
const TTL = 86_400_000

const event = (eventId: string): NewEvent => ({ provider: 'github', eventId, type: 'issues.opened', body: `{"id":"${eventId}"}`, headers: {} })
const key = (eventId: string) => ({ provider: 'github', eventId })
const success = (eventId: string, fence = 1, generation = 0): HandlerSuccess => ({ key: key(eventId), fence, handler: 'ledger', generation, now: NOW + 1 })
const request = (id: string): KeyRequest => ({ scope: '', key: id, fingerprint: 'f'.repeat(64), method: 'POST', path: '/orders' })
const RESPONSE: StoredResponse = { status: 201, headers: { 'content-type': 'text/plain' }, body: new Uint8Array([0, 255, 10]) }
const sorted = async (ids: Promise<string[]>) => (await ids).sort()
/** Long enough for a transaction that does not wait for a lock to get past it. */
const pause = () => new Promise((resolve) => setTimeout(resolve, 200))

/**
 * What every store with transactions must do (`store.transaction`, `store.keys.transaction`),
 * as vitest cases: the user's write and the success record (or the key's answer) commit
 * together or not at all, only while the lease (or the key) is still held, and a second
 * transaction on the same row waits for the first to commit.
 *
 * @example
 * import { testTransactions } from 'webhook-inbox/testing/vitest'
 * testTransactions({ name: 'my store', create: async () => ({ store: myStore(), table: myEffectsTable() }) })
 */
export function testTransactions<Tx>(c: TransactionsCase<Tx>): void {
  const prepared = async () => {
    const place = await c.create()
    await place.table.create()
    return place
  }

  describe(`${c.name} transactions conformance`, () => {
    it("store.transaction(success, fn) commits fn's write and the success record together, and resolves with fn's value", async () => {
      const { store, table } = await prepared()
      await store.claim(event('t1'), { now: NOW, leaseMs: LEASE })
      const result = await store.transaction(success('t1'), async (tx) => {
        await table.insert(tx, 't1')
        return 'written'
      })
      expect(result).toEqual({ held: true, value: 'written' })
      expect(await table.ids()).toEqual(['t1'])
      expect(await store.handled(key('t1'), 0)).toEqual(['ledger'])
    })

    it('store.transaction() whose fn throws after its write rejects with that very error and leaves neither the write nor the record', async () => {
      const { store, table } = await prepared()
      await store.claim(event('t2'), { now: NOW, leaseMs: LEASE })
      const thrown = new Error('fails after its write')
      const result = store.transaction(success('t2'), async (tx) => {
        await table.insert(tx, 't2')
        throw thrown
      })
      await expect(result).rejects.toBe(thrown)
      expect(await table.ids()).toEqual([])
      expect(await store.handled(key('t2'), 0)).toEqual([])
      // The event is still held by the run: its handler can still succeed.
      expect(await store.markHandled(key('t2'), 1, 'ledger', 0, NOW + 2)).toBe(true)
    })

    it('store.transaction() for a fence that no longer holds (the run completed, or a later lease took over) resolves { held: false } without calling fn', async () => {
      const { store, table } = await prepared()
      let called = 0
      const fn = (tx: Tx) => {
        called++
        return table.insert(tx, 'stale')
      }
      await store.claim(event('t3'), { now: NOW, leaseMs: LEASE })
      await store.complete(key('t3'), 1, NOW + 1)
      expect(await store.transaction(success('t3'), fn)).toEqual({ held: false })
      await store.claim(event('t4'), { now: NOW, leaseMs: LEASE })
      expect((await store.take(key('t4'), { now: NOW + LEASE, leaseMs: LEASE }))?.fence).toBe(2)
      expect(await store.transaction(success('t4'), fn)).toEqual({ held: false })
      expect(called).toBe(0)
      expect(await table.ids()).toEqual([])
      expect([...(await store.handled(key('t3'), 0)), ...(await store.handled(key('t4'), 0))]).toEqual([])
    })

    it("store.transaction() for a generation other than the event's replays resolves { held: false } without calling fn", async () => {
      const { store, table } = await prepared()
      let called = 0
      await store.claim(event('t5'), { now: NOW, leaseMs: LEASE })
      const result = await store.transaction(success('t5', 1, 1), (tx) => {
        called++
        return table.insert(tx, 't5')
      })
      expect(result).toEqual({ held: false })
      expect(called).toBe(0)
      expect(await table.ids()).toEqual([])
      expect(await store.handled(key('t5'), 1)).toEqual([])
    })

    it("two store.transaction() calls on one event and fence run one after the other: the second fn starts once the first committed, and both commit with one record", async () => {
      const { store, table } = await prepared()
      await store.claim(event('t6'), { now: NOW, leaseMs: LEASE })
      const order: string[] = []
      let began!: () => void
      let open!: () => void
      const begun = new Promise<void>((resolve) => (began = resolve))
      const gate = new Promise<void>((resolve) => (open = resolve))
      const first = store.transaction(success('t6'), async (tx) => {
        order.push('first begins')
        began()
        await table.insert(tx, 'first')
        await gate
        order.push('first ends')
      })
      await begun
      const second = store.transaction(success('t6'), async (tx) => {
        order.push('second begins')
        await table.insert(tx, 'second')
      })
      // Without the row's lock, the second fn would start meanwhile.
      await pause()
      open()
      expect(await Promise.all([first, second])).toEqual([
        { held: true, value: undefined },
        { held: true, value: undefined },
      ])
      expect(order).toEqual(['first begins', 'first ends', 'second begins'])
      expect(await sorted(table.ids())).toEqual(['first', 'second'])
      expect(await store.handled(key('t6'), 0)).toEqual(['ledger'])
    })

    async function started(keys: TransactionalKeys<Tx>, id: string, now = NOW) {
      const begun = await keys.begin(request(id), { now, lockMs: LOCK, ttl: TTL })
      if (begun.outcome !== 'started') throw new Error(`expected started, got ${begun.outcome}`)
      return { id: { scope: '', key: id }, token: begun.token, now, ttl: TTL }
    }

    it("store.keys.transaction(hold, fn, answer) stores answer's response for fn's value and fn's write in one commit: get() shows the key completed", async () => {
      const { store, table } = await prepared()
      const hold = await started(store.keys, 'k1')
      const result = await store.keys.transaction(
        hold,
        async (tx) => {
          await table.insert(tx, 'k1')
          return 'order-1'
        },
        async (value) => ({ ...RESPONSE, body: new TextEncoder().encode(value) }),
      )
      expect(result).toEqual({ held: true, value: 'order-1' })
      expect(await table.ids()).toEqual(['k1'])
      const stored = await store.keys.get(hold.id)
      expect(stored).toMatchObject({ status: 'completed', responseStatus: 201, expiresAt: NOW + TTL })
      expect(new TextDecoder().decode(stored?.response?.body)).toBe('order-1')
    })

    it("store.keys.transaction() whose answer resolves undefined rolls fn's write back and releases the key, so begin() starts it again", async () => {
      const { store, table } = await prepared()
      const hold = await started(store.keys, 'k2')
      const result = await store.keys.transaction(hold, (tx) => table.insert(tx, 'k2').then(() => 'not kept'), async () => undefined)
      expect(result).toEqual({ held: true, value: 'not kept' })
      expect(await table.ids()).toEqual([])
      expect(await store.keys.get(hold.id)).toBeUndefined()
      await started(store.keys, 'k2', NOW + 1)
    })

    it('store.keys.transaction() whose fn throws rejects with that very error, writes nothing and stores no answer', async () => {
      const { store, table } = await prepared()
      const hold = await started(store.keys, 'k3')
      const thrown = new Error('fails after its write')
      let answered = 0
      const result = store.keys.transaction(
        hold,
        async (tx) => {
          await table.insert(tx, 'k3')
          throw thrown
        },
        async () => {
          answered++
          return RESPONSE
        },
      )
      await expect(result).rejects.toBe(thrown)
      expect(answered).toBe(0)
      expect(await table.ids()).toEqual([])
      expect((await store.keys.get(hold.id))?.response ?? null).toBeNull()
    })

    it('store.keys.transaction() with a token that no longer holds the key (a retry took it over) resolves { held: false } without calling fn', async () => {
      const { store, table } = await prepared()
      const dead = await started(store.keys, 'k4')
      const next = await started(store.keys, 'k4', NOW + LOCK)
      let called = 0
      const result = await store.keys.transaction(
        dead,
        (tx) => {
          called++
          return table.insert(tx, 'k4')
        },
        async () => RESPONSE,
      )
      expect(result).toEqual({ held: false })
      expect(called).toBe(0)
      expect(await table.ids()).toEqual([])
      expect(await store.keys.get(dead.id)).toMatchObject({ status: 'running', response: null })
      expect(await store.keys.finish(next.id, next.token, RESPONSE, { now: NOW + LOCK, ttl: TTL })).toBe(true)
    })

    it("store.keys.transaction(undefined, fn, answer) is only a transaction: fn's write commits, answer is not called and no key is written", async () => {
      const { store, table } = await prepared()
      let answered = 0
      const result = await store.keys.transaction(
        undefined,
        async (tx) => {
          await table.insert(tx, 'plain')
          return 7
        },
        async () => {
          answered++
          return RESPONSE
        },
      )
      expect(result).toEqual({ held: true, value: 7 })
      expect(answered).toBe(0)
      expect(await table.ids()).toEqual(['plain'])
      expect(await store.keys.list()).toEqual([])
    })
  })
}
