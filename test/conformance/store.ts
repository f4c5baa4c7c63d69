import { describe, expect, it } from 'vitest'
import type { NewEvent, Store } from '../../src/stores/types.js'
import { NOW } from '../helpers.js'

export interface StoreCase {
  name: string
  /** A fresh, empty store for one test. */
  create(): Store | Promise<Store>
}

const LEASE = 60_000

function newEvent(eventId: string, provider = 'github'): NewEvent {
  return {
    provider,
    eventId,
    type: 'issues.opened',
    body: '{"action":"opened","title":"Grüße 🚀"}',
    headers: { 'x-github-delivery': eventId, 'x-github-event': 'issues' },
  }
}

/** What every store must do; each case arranges its own rows and drives time by argument. */
export function testStore(c: StoreCase) {
  describe(`${c.name} store conformance`, () => {
    it('store.claim() inserts a new event as processing, attempt 1, leased until now + leaseMs', async () => {
      const store = await c.create()
      const result = await store.claim(newEvent('a'), { now: NOW, leaseMs: LEASE })
      expect(result).toEqual({
        outcome: 'claimed',
        event: {
          ...newEvent('a'),
          status: 'processing',
          attempts: 1,
          lockedUntil: NOW + LEASE,
          nextAttemptAt: null,
          lastError: null,
          receivedAt: NOW,
          processedAt: null,
          updatedAt: NOW,
        },
      })
    })

    it('store.claim() returns duplicate for a second claim of the same (provider, event_id) under a live lease', async () => {
      const store = await c.create()
      await store.claim(newEvent('b'), { now: NOW, leaseMs: LEASE })
      expect(await store.claim(newEvent('b'), { now: NOW + LEASE - 1, leaseMs: LEASE })).toEqual({ outcome: 'duplicate' })
    })

    it('store.claim() treats the same event_id under another provider as a different event', async () => {
      const store = await c.create()
      await store.claim(newEvent('c', 'github'), { now: NOW, leaseMs: LEASE })
      expect((await store.claim(newEvent('c', 'github-app-2'), { now: NOW, leaseMs: LEASE })).outcome).toBe('claimed')
    })

    it('store.claim() hands exactly one of 25 concurrent claims of one event the lease', async () => {
      const store = await c.create()
      const results = await Promise.all(
        Array.from({ length: 25 }, () => store.claim(newEvent('d'), { now: NOW, leaseMs: LEASE })),
      )
      expect(results.filter((r) => r.outcome === 'claimed')).toHaveLength(1)
    })

    it('store.complete() marks the claimed attempt processed, after which claim() is a duplicate', async () => {
      const store = await c.create()
      await store.claim(newEvent('e'), { now: NOW, leaseMs: LEASE })
      expect(await store.complete({ provider: 'github', eventId: 'e' }, 1, NOW + 5)).toBe(true)
      expect(await store.get({ provider: 'github', eventId: 'e' })).toMatchObject({
        status: 'processed',
        processedAt: NOW + 5,
        lockedUntil: null,
      })
      expect(await store.claim(newEvent('e'), { now: NOW + 10 * LEASE, leaseMs: LEASE })).toEqual({ outcome: 'duplicate' })
    })

    it('store.fail() records the error and retry time, and the next claim() re-claims it as attempt 2', async () => {
      const store = await c.create()
      const key = { provider: 'github', eventId: 'f' }
      await store.claim(newEvent('f'), { now: NOW, leaseMs: LEASE })
      expect(await store.fail(key, 1, { error: 'Error: boom', nextAttemptAt: NOW + 10_000, now: NOW + 1 })).toBe(true)
      expect(await store.get(key)).toMatchObject({ status: 'failed', lastError: 'Error: boom', nextAttemptAt: NOW + 10_000 })
      const again = await store.claim(newEvent('f'), { now: NOW + 2, leaseMs: LEASE })
      expect(again).toMatchObject({ outcome: 'claimed', event: { attempts: 2, status: 'processing' } })
    })

    it('store.fail() with nextAttemptAt null dead-letters the event, and claim() then returns duplicate', async () => {
      const store = await c.create()
      const key = { provider: 'github', eventId: 'g' }
      await store.claim(newEvent('g'), { now: NOW, leaseMs: LEASE })
      await store.fail(key, 1, { error: 'Error: gave up', nextAttemptAt: null, now: NOW })
      expect((await store.get(key))?.status).toBe('dead')
      expect(await store.claim(newEvent('g'), { now: NOW + 1, leaseMs: LEASE })).toEqual({ outcome: 'duplicate' })
    })

    it('store.claim() takes over an event whose lease ran out, and the old claim can no longer complete it', async () => {
      const store = await c.create()
      const key = { provider: 'github', eventId: 'h' }
      await store.claim(newEvent('h'), { now: NOW, leaseMs: LEASE })
      const takeover = await store.claim(newEvent('h'), { now: NOW + LEASE, leaseMs: LEASE })
      expect(takeover).toMatchObject({ outcome: 'claimed', event: { attempts: 2 } })
      expect(await store.complete(key, 1, NOW + LEASE + 1)).toBe(false)
      expect(await store.fail(key, 1, { error: 'late', nextAttemptAt: NOW, now: NOW })).toBe(false)
      expect(await store.complete(key, 2, NOW + LEASE + 2)).toBe(true)
    })

    it('store.get() returns undefined for an event it never stored', async () => {
      const store = await c.create()
      expect(await store.get({ provider: 'github', eventId: 'nope' })).toBeUndefined()
    })

    it('store.list() filters by provider, status and since, newest first, up to limit', async () => {
      const store = await c.create()
      await store.claim(newEvent('l1', 'github'), { now: NOW, leaseMs: LEASE })
      await store.claim(newEvent('l2', 'stripe'), { now: NOW + 1, leaseMs: LEASE })
      await store.claim(newEvent('l3', 'github'), { now: NOW + 2, leaseMs: LEASE })
      await store.complete({ provider: 'github', eventId: 'l3' }, 1, NOW + 3)
      const ids = async (filter: Parameters<Store['list']>[0]) => (await store.list(filter)).map((e) => e.eventId)
      expect(await ids({})).toEqual(['l3', 'l2', 'l1'])
      expect(await ids({ provider: 'github' })).toEqual(['l3', 'l1'])
      expect(await ids({ status: 'processed' })).toEqual(['l3'])
      expect(await ids({ since: NOW + 1 })).toEqual(['l3', 'l2'])
      expect(await ids({ limit: 1 })).toEqual(['l3'])
    })
  })
}
