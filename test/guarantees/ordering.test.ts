import { describe, expect, it } from 'vitest'
import { stripe } from '../../providers/index.js'
import { createInbox } from '../../src/inbox.js'
import { STATUS_HEADER } from '../../src/response.js'
import type { SqliteStore } from '../../src/stores/sqlite/index.js'
import { NOW, signedDelivery } from '../helpers.js'
import { tempStore } from '../node-helpers.js'

const providers = { stripe: stripe({ secret: 'whsec_ordering', now: () => NOW }) }
const subscription = (id: string, sub: string, created: number) =>
  signedDelivery(providers.stripe, 'stripe', {
    body: JSON.stringify({ id, object: 'event', type: 'customer.subscription.updated', created, data: { object: { id: sub, object: 'subscription' } } }),
  })

function ordered(store: SqliteStore, leaseMs = 60_000) {
  const inbox = createInbox({ store, providers, ordering: { stripe: true }, mode: 'inline', leaseMs })
  inbox.onError(() => {})
  return inbox
}

describe('ordering: { stripe: true } on sqliteStore()', () => {
  it('inbox.fetch() of an older version after a newer one was processed answers 200 stale, calls no handler and stores status stale', async () => {
    const { store } = tempStore()
    const inbox = ordered(store)
    const seen: string[] = []
    inbox.on('stripe', 'customer.subscription.updated', (event) => void seen.push(event.id))
    expect((await inbox.fetch(await subscription('evt_new', 'sub_1', 200))).headers.get(STATUS_HEADER)).toBe('processed')
    const older = await inbox.fetch(await subscription('evt_old', 'sub_1', 100))
    expect(older.status).toBe(200)
    expect(older.headers.get(STATUS_HEADER)).toBe('stale')
    expect(seen).toEqual(['evt_new'])
    expect((await store.get({ provider: 'stripe', eventId: 'evt_old' }))?.status).toBe('stale')
    expect(await inbox.list({ status: 'stale' })).toEqual([expect.objectContaining({ eventId: 'evt_old', entityKey: 'sub_1', entityVersion: 100 })])
  })

  it('inbox.fetch() of an equal version runs it, and another entity is not held back by the first', async () => {
    const { store } = tempStore()
    const inbox = ordered(store)
    const seen: string[] = []
    inbox.on('stripe', 'customer.subscription.updated', (event) => void seen.push(event.id))
    await inbox.fetch(await subscription('evt_a1', 'sub_a', 200))
    expect((await inbox.fetch(await subscription('evt_a2', 'sub_a', 200))).headers.get(STATUS_HEADER)).toBe('processed')
    expect((await inbox.fetch(await subscription('evt_b1', 'sub_b', 100))).headers.get(STATUS_HEADER)).toBe('processed')
    expect(seen).toEqual(['evt_a1', 'evt_a2', 'evt_b1'])
  })

  it('inbox.replay() of a stale event runs its handlers and leaves the entity at its higher version', async () => {
    const { store } = tempStore()
    const inbox = ordered(store)
    const seen: string[] = []
    inbox.on('stripe', 'customer.subscription.updated', (event) => void seen.push(event.id))
    await inbox.fetch(await subscription('evt_2', 'sub_r', 200))
    await inbox.fetch(await subscription('evt_1', 'sub_r', 100))
    expect(await inbox.replay('stripe', 'evt_1')).toEqual({ status: 'processed' })
    expect(seen).toEqual(['evt_2', 'evt_1'])
    // Still stale-proof at 200: another version-150 event is stale.
    expect((await inbox.fetch(await subscription('evt_15', 'sub_r', 150))).headers.get(STATUS_HEADER)).toBe('stale')
  })

  it('three events of one entity delivered at once never run at the same moment; the newest is processed and processed ones ascend', async () => {
    const { store } = tempStore()
    const inbox = ordered(store)
    const spans: { id: string; version: number; start: number; end: number }[] = []
    inbox.on('stripe', 'customer.subscription.updated', async (event) => {
      const start = performance.now()
      await new Promise((resolve) => setTimeout(resolve, 100))
      spans.push({ id: event.id, version: (event.payload as { created: number }).created, start, end: performance.now() })
    })
    const answers = await Promise.all([3, 1, 2].map(async (v) => inbox.fetch(await subscription(`evt_c${v}`, 'sub_c', v * 100))))
    expect(answers.map((a) => a.status)).toEqual([200, 200, 200])
    spans.sort((a, b) => a.start - b.start)
    for (let i = 1; i < spans.length; i++) expect(spans[i]!.start).toBeGreaterThanOrEqual(spans[i - 1]!.end)
    expect(spans.map((s) => s.version)).toEqual([...spans.map((s) => s.version)].sort((a, b) => a - b))
    expect((await store.get({ provider: 'stripe', eventId: 'evt_c3' }))?.status).toBe('processed')
    for (const v of [1, 2]) expect(['processed', 'stale']).toContain((await store.get({ provider: 'stripe', eventId: `evt_c${v}` }))?.status)
  })

  it('five entities with 300 ms handlers delivered at once run in parallel: all done in well under 5 × 300 ms', async () => {
    const { store } = tempStore()
    const inbox = ordered(store)
    inbox.on('stripe', 'customer.subscription.updated', () => new Promise((resolve) => setTimeout(resolve, 300)))
    const deliveries = await Promise.all([1, 2, 3, 4, 5].map((n) => subscription(`evt_p${n}`, `sub_p${n}`, 100)))
    const started = performance.now()
    const answers = await Promise.all(deliveries.map((d) => inbox.fetch(d)))
    expect(answers.map((a) => a.headers.get(STATUS_HEADER))).toEqual(Array(5).fill('processed'))
    expect(performance.now() - started).toBeLessThan(900)
  })

  it('createInbox({ ordering: { stripe: true } }) over a store without hold/settle/letGo throws a TypeError', () => {
    const { store } = tempStore()
    const { hold: _h, settle: _s, letGo: _l, ...plain } = store
    expect(() => createInbox({ store: plain, providers, ordering: { stripe: true } })).toThrow(/ordering needs a store that orders/)
  })
})
