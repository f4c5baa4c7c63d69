import { expect, it } from 'vitest'
import type { NewEvent, Store } from '../store.js'
import { NOW } from './now.js'

const LEASE = 60_000

const event = (eventId: string): NewEvent => ({ provider: 'github', eventId, type: 'issues.opened', body: `{"id":"${eventId}"}`, headers: {} })
const key = (eventId: string) => ({ provider: 'github', eventId })

/**
 * The handlers' success records (handled / markHandled), as cases inside testStore()'s
 * describe block: fenced by the lease, separated by generation, purged with their event.
 */
export function handlerRecordCases(create: () => Store | Promise<Store>): void {
  it('store.markHandled() records a handler for the run holding the lease, and handled() lists it for that generation only', async () => {
    const store = await create()
    await store.claim(event('h1'), { now: NOW, leaseMs: LEASE })
    expect(await store.handled(key('h1'), 0)).toEqual([])
    expect(await store.markHandled(key('h1'), 1, 'email', 0, NOW + 1)).toBe(true)
    expect(await store.markHandled(key('h1'), 1, 'ledger', 0, NOW + 2)).toBe(true)
    expect((await store.handled(key('h1'), 0)).sort()).toEqual(['email', 'ledger'])
    expect(await store.handled(key('h1'), 1)).toEqual([])
    expect(await store.handled(key('other'), 0)).toEqual([])
  })

  it('store.markHandled() called twice for one handler returns true both times and keeps one record', async () => {
    const store = await create()
    await store.claim(event('h2'), { now: NOW, leaseMs: LEASE })
    expect(await store.markHandled(key('h2'), 1, 'email', 0, NOW + 1)).toBe(true)
    expect(await store.markHandled(key('h2'), 1, 'email', 0, NOW + 2)).toBe(true)
    expect(await store.handled(key('h2'), 0)).toEqual(['email'])
  })

  it('store.markHandled() with a stale fence writes nothing and returns false after another run took the event over', async () => {
    const store = await create()
    await store.claim(event('h3'), { now: NOW, leaseMs: LEASE })
    await store.take(key('h3'), { now: NOW + LEASE, leaseMs: LEASE })
    expect(await store.markHandled(key('h3'), 1, 'email', 0, NOW + LEASE + 1)).toBe(false)
    expect(await store.handled(key('h3'), 0)).toEqual([])
    expect(await store.markHandled(key('h3'), 2, 'email', 0, NOW + LEASE + 1)).toBe(true)
    expect(await store.handled(key('h3'), 0)).toEqual(['email'])
  })

  it('store.markHandled() writes nothing for a processed event, nor for a generation other than its replays', async () => {
    const store = await create()
    await store.claim(event('h4'), { now: NOW, leaseMs: LEASE })
    expect(await store.markHandled(key('h4'), 1, 'ledger', 1, NOW + 1)).toBe(false)
    await store.complete(key('h4'), 1, NOW + 1)
    expect(await store.markHandled(key('h4'), 1, 'email', 0, NOW + 2)).toBe(false)
    expect(await store.handled(key('h4'), 0)).toEqual([])
    expect(await store.handled(key('h4'), 1)).toEqual([])
  })

  it("store.requeue({ reason: 'replay' }) starts a new generation: the next run's records are apart from the first's", async () => {
    const store = await create()
    await store.claim(event('h5'), { now: NOW, leaseMs: LEASE })
    await store.markHandled(key('h5'), 1, 'email', 0, NOW + 1)
    await store.complete(key('h5'), 1, NOW + 1)
    await store.requeue(key('h5'), { now: NOW + 2, reason: 'replay' })
    const taken = await store.take(key('h5'), { now: NOW + 2, leaseMs: LEASE })
    expect(taken).toMatchObject({ fence: 2, replays: 1 })
    expect(await store.handled(key('h5'), 1)).toEqual([])
    expect(await store.markHandled(key('h5'), 2, 'email', 1, NOW + 3)).toBe(true)
    expect(await store.handled(key('h5'), 1)).toEqual(['email'])
    expect(await store.handled(key('h5'), 0)).toEqual(['email'])
  })

  it('store.purge() deletes the records of the events it purges and keeps those of the others', async () => {
    const store = await create()
    for (const id of ['gone', 'kept']) {
      await store.claim(event(id), { now: NOW, leaseMs: LEASE })
      await store.markHandled(key(id), 1, 'email', 0, NOW + 1)
    }
    await store.complete(key('gone'), 1, NOW + 2)
    await store.complete(key('kept'), 1, NOW + 200)
    expect(await store.purge({ before: NOW + 100, statuses: ['processed'], now: NOW + 300 })).toBe(1)
    expect(await store.handled(key('gone'), 0)).toEqual([])
    expect(await store.handled(key('kept'), 0)).toEqual(['email'])
    // The same id delivered again is a new event: none of its handlers are recorded.
    expect(await store.claim(event('gone'), { now: NOW + 300, leaseMs: LEASE })).toMatchObject({ outcome: 'claimed', inserted: true })
    expect(await store.handled(key('gone'), 0)).toEqual([])
  })
}
