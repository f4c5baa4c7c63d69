import { expect, it } from 'vitest'
import type { NewEvent, OrderedStore, Store } from '../store.js'
import { NOW } from './now.js'

const LEASE = 60_000

const event = (eventId: string, entityKey: string, entityVersion: number): NewEvent => ({
  provider: 'stripe',
  eventId,
  type: 'customer.subscription.updated',
  body: `{"id":"${eventId}"}`,
  headers: {},
  entityKey,
  entityVersion,
})
const key = (eventId: string) => ({ provider: 'stripe', eventId })

async function ordered(create: () => Store | Promise<Store>): Promise<OrderedStore> {
  const store = (await create()) as Partial<OrderedStore>
  expect(typeof store.hold, 'the store orders events: hold(), settle(), letGo()').toBe('function')
  return store as OrderedStore
}

/**
 * Ordering per entity (hold / settle / letGo and the `stale` status), as cases inside
 * testStore()'s describe block: one run per entity at a time, a version that only rises,
 * holds that end with their run's lease, and entities purged with the events.
 */
export function orderingCases(create: () => Store | Promise<Store>): void {
  it("store.claim() keeps an ordered event's entityKey and entityVersion, and get() and list() return them", async () => {
    const store = await ordered(create)
    await store.claim(event('o1', 'sub_1', 1_700_000_000.5), { now: NOW, leaseMs: LEASE })
    expect(await store.get(key('o1'))).toMatchObject({ entityKey: 'sub_1', entityVersion: 1_700_000_000.5 })
    expect(await store.list({ eventId: 'o1' })).toEqual([expect.objectContaining({ entityKey: 'sub_1', entityVersion: 1_700_000_000.5 })])
  })

  it("store.hold() gives an entity to one run: a second event of it is busy until the first run's lease ends, another entity is free", async () => {
    const store = await ordered(create)
    await store.claim(event('o2a', 'sub_2', 10), { now: NOW, leaseMs: LEASE })
    await store.claim(event('o2b', 'sub_2', 20), { now: NOW, leaseMs: LEASE })
    await store.claim(event('o2c', 'sub_3', 5), { now: NOW, leaseMs: LEASE })
    expect(await store.hold(key('o2a'), 1, NOW + 1)).toEqual({ outcome: 'held', version: null })
    expect(await store.hold(key('o2b'), 1, NOW + 2)).toEqual({ outcome: 'busy', until: NOW + LEASE })
    expect(await store.hold(key('o2c'), 1, NOW + 3)).toEqual({ outcome: 'held', version: null })
  })

  it("store.settle(processed) marks the event processed, raises the entity's version and lets it go; the next run finds that version", async () => {
    const store = await ordered(create)
    await store.claim(event('o3a', 'sub_4', 200), { now: NOW, leaseMs: LEASE })
    await store.claim(event('o3b', 'sub_4', 100), { now: NOW, leaseMs: LEASE })
    await store.hold(key('o3a'), 1, NOW)
    expect(await store.settle(key('o3a'), 1, 'processed', NOW + 5)).toBe(true)
    expect(await store.get(key('o3a'))).toMatchObject({ status: 'processed', processedAt: NOW + 5, leaseEndsAt: null })
    expect(await store.hold(key('o3b'), 1, NOW + 6)).toEqual({ outcome: 'held', version: 200 })
    expect(await store.settle(key('o3b'), 1, 'stale', NOW + 7)).toBe(true)
    expect(await store.get(key('o3b'))).toMatchObject({ status: 'stale', processedAt: NOW + 7 })
    expect(await store.claim(event('o3b', 'sub_4', 100), { now: NOW + 8, leaseMs: LEASE })).toEqual({ outcome: 'duplicate' })
  })

  it('store.settle(processed) of a lower version (a replay) keeps the entity at its higher version', async () => {
    const store = await ordered(create)
    await store.claim(event('o4a', 'sub_5', 300), { now: NOW, leaseMs: LEASE })
    await store.hold(key('o4a'), 1, NOW)
    await store.settle(key('o4a'), 1, 'processed', NOW + 1)
    await store.claim(event('o4b', 'sub_5', 100), { now: NOW, leaseMs: LEASE })
    expect(await store.hold(key('o4b'), 1, NOW + 2)).toEqual({ outcome: 'held', version: 300 })
    expect(await store.settle(key('o4b'), 1, 'processed', NOW + 3)).toBe(true)
    await store.claim(event('o4c', 'sub_5', 200), { now: NOW, leaseMs: LEASE })
    expect(await store.hold(key('o4c'), 1, NOW + 4)).toEqual({ outcome: 'held', version: 300 })
  })

  it('store.settle() with a stale fence changes nothing and returns false; the entity stays held by the run that took over', async () => {
    const store = await ordered(create)
    await store.claim(event('o5', 'sub_6', 10), { now: NOW, leaseMs: LEASE })
    await store.hold(key('o5'), 1, NOW)
    // The run's lease ran out; another run took the event over (fence 2) and the entity with it.
    await store.take(key('o5'), { now: NOW + LEASE, leaseMs: LEASE })
    expect(await store.hold(key('o5'), 2, NOW + LEASE)).toEqual({ outcome: 'held', version: null })
    expect(await store.settle(key('o5'), 1, 'processed', NOW + LEASE + 1)).toBe(false)
    expect((await store.get(key('o5')))?.status).toBe('processing')
    await store.claim(event('o5x', 'sub_6', 20), { now: NOW + LEASE, leaseMs: LEASE })
    expect(await store.hold(key('o5x'), 1, NOW + LEASE + 2)).toEqual({ outcome: 'busy', until: NOW + 2 * LEASE })
  })

  it('store.hold() by a run that no longer holds its event returns lost and takes nothing', async () => {
    const store = await ordered(create)
    await store.claim(event('o6', 'sub_7', 10), { now: NOW, leaseMs: LEASE })
    await store.complete(key('o6'), 1, NOW + 1)
    expect(await store.hold(key('o6'), 1, NOW + 2)).toEqual({ outcome: 'lost' })
    await store.claim(event('o6b', 'sub_7', 20), { now: NOW, leaseMs: LEASE })
    expect(await store.hold(key('o6b'), 1, NOW + 3)).toEqual({ outcome: 'held', version: null })
  })

  it("store.hold() takes an entity whose holder's lease ran out (that run died), and store.letGo() frees one at once", async () => {
    const store = await ordered(create)
    await store.claim(event('o7a', 'sub_8', 10), { now: NOW, leaseMs: LEASE })
    await store.hold(key('o7a'), 1, NOW)
    await store.claim(event('o7b', 'sub_8', 20), { now: NOW + LEASE, leaseMs: LEASE })
    expect(await store.hold(key('o7b'), 1, NOW + LEASE)).toEqual({ outcome: 'held', version: null })
    await store.letGo(key('o7b'), 1, NOW + LEASE + 1)
    await store.claim(event('o7c', 'sub_8', 30), { now: NOW + LEASE, leaseMs: LEASE })
    expect(await store.hold(key('o7c'), 1, NOW + LEASE + 2)).toEqual({ outcome: 'held', version: null })
  })

  it("store.letGo() with a fence that is not the holder's leaves the hold alone", async () => {
    const store = await ordered(create)
    await store.claim(event('o8a', 'sub_9', 10), { now: NOW, leaseMs: LEASE })
    await store.hold(key('o8a'), 1, NOW)
    await store.letGo(key('o8a'), 7, NOW + 1)
    await store.claim(event('o8b', 'sub_9', 20), { now: NOW, leaseMs: LEASE })
    expect((await store.hold(key('o8b'), 1, NOW + 2)).outcome).toBe('busy')
  })

  it('store.hold() of 10 events of one entity at once gives it to exactly one', async () => {
    const store = await ordered(create)
    const ids = Array.from({ length: 10 }, (_, i) => `o9-${i}`)
    for (const id of ids) await store.claim(event(id, 'sub_10', 1), { now: NOW, leaseMs: LEASE })
    const results = await Promise.all(ids.map((id) => store.hold(key(id), 1, NOW + 1)))
    expect(results.filter((r) => r.outcome === 'held')).toHaveLength(1)
    expect(results.filter((r) => r.outcome === 'busy')).toHaveLength(9)
  })

  it('store.purge() deletes stale events and the entities no run holds that were last touched before the cut-off', async () => {
    const store = await ordered(create)
    await store.claim(event('p1', 'sub_old', 10), { now: NOW, leaseMs: LEASE })
    await store.hold(key('p1'), 1, NOW)
    await store.settle(key('p1'), 1, 'stale', NOW + 1)
    await store.claim(event('p2', 'sub_held', 10), { now: NOW, leaseMs: LEASE })
    await store.hold(key('p2'), 1, NOW)
    expect(await store.purge({ before: NOW + 1000, statuses: ['processed', 'stale'], now: NOW + 2 })).toBe(1)
    expect(await store.get(key('p1'))).toBeUndefined()
    // sub_old's entity is gone: a new event of it starts from no version.
    await store.claim(event('p3', 'sub_old', 5), { now: NOW + 3, leaseMs: LEASE })
    expect(await store.hold(key('p3'), 1, NOW + 3)).toEqual({ outcome: 'held', version: null })
    // sub_held's hold survived the purge.
    await store.claim(event('p4', 'sub_held', 20), { now: NOW + 3, leaseMs: LEASE })
    expect((await store.hold(key('p4'), 1, NOW + 4)).outcome).toBe('busy')
  })
}
