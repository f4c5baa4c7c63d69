import { describe, expect, it } from 'vitest'
import type { NewEvent, Store } from '../store.js'
import { handlerRecordCases } from './handler-records-suite.js'
import { orderingCases } from './ordering-suite.js'
import { NOW } from './now.js'

/** How the store conformance suite drives one store: yours, or a built-in one. */
export interface StoreCase {
  /** Names the suite's `describe` block. */
  name: string
  /** A fresh, empty store for one test: every case arranges its own rows. */
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

/** The keys of up to `limit` due events, leased by the sweeper's batch take (which only a due event passes). */
async function dueKeys(store: Store, now: number, limit: number) {
  return (await store.takeDue({ now, leaseMs: LEASE, limit, providers: ['github'] })).map(({ provider, eventId }) => ({ provider, eventId }))
}

/**
 * What every store must do, as vitest cases: claims and duplicates, leases and their
 * fences, the sweeper's batch, replay and retry, purge, paging, stats, large bodies and
 * the handlers' success records.
 * Each case arranges its own rows and drives time by argument (from 2026-01-01).
 *
 * @example
 * import { testStore } from 'webhook-inbox/testing/vitest'
 * testStore({ name: 'my store', create: () => myStore({ url: process.env.TEST_DB_URL }) })
 */
export function testStore(c: StoreCase): void {
  describe(`${c.name} store conformance`, () => {
    it('store.claim() inserts a new event as processing, fence 1, leased until now + leaseMs', async () => {
      const store = await c.create()
      const result = await store.claim(newEvent('a'), { now: NOW, leaseMs: LEASE })
      expect(result).toEqual({
        outcome: 'claimed',
        inserted: true,
        event: {
          ...newEvent('a'),
          digest: null,
          status: 'processing',
          fence: 1,
          fenceBase: 0,
          replay: false,
          replays: 0,
          leaseEndsAt: NOW + LEASE,
          nextAttemptAt: null,
          lastError: null,
          receivedAt: NOW,
          processedAt: null,
          updatedAt: NOW,
          entityKey: null,
          entityVersion: null,
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

    it('store.complete() marks the claimed lease processed, after which claim() is a duplicate', async () => {
      const store = await c.create()
      await store.claim(newEvent('e'), { now: NOW, leaseMs: LEASE })
      expect(await store.complete({ provider: 'github', eventId: 'e' }, 1, NOW + 5)).toBe(true)
      expect(await store.get({ provider: 'github', eventId: 'e' })).toMatchObject({
        status: 'processed',
        processedAt: NOW + 5,
        leaseEndsAt: null,
      })
      expect(await store.claim(newEvent('e'), { now: NOW + 10 * LEASE, leaseMs: LEASE })).toEqual({ outcome: 'duplicate' })
    })

    it('store.complete() called for many events at once marks each held lease and refuses a stale fence', async () => {
      const store = await c.create()
      const ids = Array.from({ length: 10 }, (_, i) => `many-${i}`)
      for (const id of ids) await store.claim(newEvent(id), { now: NOW, leaseMs: LEASE })
      // many-0 was taken over after its lease ran out: fence 1 no longer holds it.
      await store.claim(newEvent('many-0'), { now: NOW + LEASE, leaseMs: LEASE })
      const results = await Promise.all(ids.map((id) => store.complete({ provider: 'github', eventId: id }, 1, NOW + LEASE + 1)))
      expect(results).toEqual(ids.map((id) => id !== 'many-0'))
      expect((await store.get({ provider: 'github', eventId: 'many-0' }))?.status).toBe('processing')
      expect((await store.get({ provider: 'github', eventId: 'many-9' }))).toMatchObject({ status: 'processed', processedAt: NOW + LEASE + 1 })
    })

    it('store.fail() records the error and retry time, and the next claim() re-claims it under fence 2', async () => {
      const store = await c.create()
      const key = { provider: 'github', eventId: 'f' }
      await store.claim(newEvent('f'), { now: NOW, leaseMs: LEASE })
      expect(await store.fail(key, 1, { error: 'Error: boom', nextAttemptAt: NOW + 10_000, now: NOW + 1 })).toBe(true)
      expect(await store.get(key)).toMatchObject({ status: 'failed', lastError: 'Error: boom', nextAttemptAt: NOW + 10_000 })
      const again = await store.claim(newEvent('f'), { now: NOW + 2, leaseMs: LEASE })
      expect(again).toMatchObject({ outcome: 'claimed', event: { fence: 2, status: 'processing' } })
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
      expect(takeover).toMatchObject({ outcome: 'claimed', event: { fence: 2 } })
      expect(await store.complete(key, 1, NOW + LEASE + 1)).toBe(false)
      expect(await store.fail(key, 1, { error: 'late', nextAttemptAt: NOW, now: NOW })).toBe(false)
      expect(await store.complete(key, 2, NOW + LEASE + 2)).toBe(true)
    })

    it('store.claim({ queue: true }) stores a new event as received, fence 0, due now, and a second one is a duplicate', async () => {
      const store = await c.create()
      const first = await store.claim(newEvent('q1'), { now: NOW, leaseMs: LEASE, queue: true })
      expect(first).toMatchObject({ outcome: 'queued', event: { status: 'received', fence: 0, nextAttemptAt: NOW, leaseEndsAt: null } })
      expect(await store.claim(newEvent('q1'), { now: NOW, leaseMs: LEASE, queue: true })).toEqual({ outcome: 'duplicate' })
    })

    it('store.claim() without queue takes over a received event that is still waiting for its run', async () => {
      const store = await c.create()
      await store.claim(newEvent('q2'), { now: NOW, leaseMs: LEASE, queue: true })
      expect(await store.claim(newEvent('q2'), { now: NOW + 1, leaseMs: LEASE })).toMatchObject({
        outcome: 'claimed',
        event: { status: 'processing', fence: 1 },
      })
    })

    it('store.claim({ queue: true }) puts a failed event back in the queue, due now', async () => {
      const store = await c.create()
      await store.claim(newEvent('q3'), { now: NOW, leaseMs: LEASE })
      await store.fail({ provider: 'github', eventId: 'q3' }, 1, { error: 'x', nextAttemptAt: NOW + 99_000, now: NOW })
      expect(await store.claim(newEvent('q3'), { now: NOW + 5, leaseMs: LEASE, queue: true })).toMatchObject({
        outcome: 'queued',
        event: { status: 'received', nextAttemptAt: NOW + 5, fence: 1 },
      })
    })

    it('store.takeDue() leases only due events: waiting or failed whose time has come, and expired leases', async () => {
      const store = await c.create()
      const key = (eventId: string) => ({ provider: 'github', eventId })
      await store.claim(newEvent('waiting'), { now: NOW, leaseMs: LEASE, queue: true })
      await store.claim(newEvent('failed-due'), { now: NOW, leaseMs: LEASE })
      await store.fail(key('failed-due'), 1, { error: 'x', nextAttemptAt: NOW + 1000, now: NOW })
      await store.claim(newEvent('failed-later'), { now: NOW, leaseMs: LEASE })
      await store.fail(key('failed-later'), 1, { error: 'x', nextAttemptAt: NOW + 5000, now: NOW })
      await store.claim(newEvent('abandoned'), { now: NOW - LEASE, leaseMs: LEASE })
      await store.claim(newEvent('running'), { now: NOW, leaseMs: LEASE })
      await store.claim(newEvent('done'), { now: NOW, leaseMs: LEASE })
      await store.complete(key('done'), 1, NOW)
      await store.claim(newEvent('gone'), { now: NOW, leaseMs: LEASE })
      await store.fail(key('gone'), 1, { error: 'x', nextAttemptAt: null, now: NOW })
      const first = await dueKeys(store, NOW + 1000, 2)
      expect(first).toHaveLength(2)
      const due = [...first, ...(await dueKeys(store, NOW + 1000, 10))].map((k) => k.eventId).sort()
      expect(due).toEqual(['abandoned', 'failed-due', 'waiting'])
    })

    it('store.take() leases a due event once: of 10 concurrent takes exactly one gets it, under the next fence', async () => {
      const store = await c.create()
      await store.claim(newEvent('t1'), { now: NOW, leaseMs: LEASE })
      await store.fail({ provider: 'github', eventId: 't1' }, 1, { error: 'x', nextAttemptAt: NOW + 10, now: NOW })
      expect(await store.take({ provider: 'github', eventId: 't1' }, { now: NOW + 9, leaseMs: LEASE })).toBeUndefined()
      const takes = await Promise.all(
        Array.from({ length: 10 }, () => store.take({ provider: 'github', eventId: 't1' }, { now: NOW + 10, leaseMs: LEASE })),
      )
      const taken = takes.filter((t) => t !== undefined)
      expect(taken).toHaveLength(1)
      expect(taken[0]).toMatchObject({ status: 'processing', fence: 2, leaseEndsAt: NOW + 10 + LEASE })
    })

    it('store.claim() returns duplicate for the same digest under another event_id of the same provider', async () => {
      const store = await c.create()
      const signed = { ...newEvent('dg1'), digest: 'a'.repeat(64) }
      expect((await store.claim(signed, { now: NOW, leaseMs: LEASE })).outcome).toBe('claimed')
      expect(await store.claim({ ...signed, eventId: 'dg2' }, { now: NOW, leaseMs: LEASE })).toEqual({ outcome: 'duplicate' })
      expect(await store.claim({ ...signed, eventId: 'dg3' }, { now: NOW, leaseMs: LEASE, queue: true })).toEqual({ outcome: 'duplicate' })
      expect((await store.claim({ ...signed, provider: 'github-app-2' }, { now: NOW, leaseMs: LEASE })).outcome).toBe('claimed')
      expect(await store.get({ provider: 'github', eventId: 'dg2' })).toBeUndefined()
    })

    it('store.takeDue() leases up to limit due events, longest waiting first, each under its next fence, and no others', async () => {
      const store = await c.create()
      const key = (eventId: string) => ({ provider: 'github', eventId })
      await store.claim(newEvent('td-late'), { now: NOW + 30, leaseMs: LEASE, queue: true })
      await store.claim(newEvent('td-early'), { now: NOW + 10, leaseMs: LEASE, queue: true })
      await store.claim(newEvent('td-mid'), { now: NOW + 20, leaseMs: LEASE, queue: true })
      await store.claim(newEvent('td-future'), { now: NOW, leaseMs: LEASE })
      await store.fail(key('td-future'), 1, { error: 'x', nextAttemptAt: NOW + 10_000, now: NOW })
      await store.claim(newEvent('td-running'), { now: NOW, leaseMs: LEASE })
      const taken = await store.takeDue({ now: NOW + 100, leaseMs: LEASE, limit: 2, providers: ['github'] })
      expect(taken.map((e) => e.eventId).sort()).toEqual(['td-early', 'td-mid'])
      expect(taken[0]).toMatchObject({ ...newEvent(taken[0]!.eventId), status: 'processing', fence: 1, leaseEndsAt: NOW + 100 + LEASE })
      expect((await store.takeDue({ now: NOW + 100, leaseMs: LEASE, limit: 10, providers: ['github'] })).map((e) => e.eventId)).toEqual(['td-late'])
      expect(await store.takeDue({ now: NOW + 100, leaseMs: LEASE, limit: 10, providers: ['github'] })).toEqual([])
    })

    it('store.takeDue() from 4 concurrent callers over 40 due events gives each event to exactly one of them', async () => {
      const store = await c.create()
      for (let i = 0; i < 40; i++) await store.claim(newEvent(`tc${i}`), { now: NOW, leaseMs: LEASE, queue: true })
      const batches = await Promise.all(Array.from({ length: 4 }, () => store.takeDue({ now: NOW + 1, leaseMs: LEASE, limit: 15, providers: ['github'] })))
      const ids = batches.flat().map((e) => e.eventId)
      expect(ids).toHaveLength(40)
      expect(new Set(ids).size).toBe(40)
    })

    it('store.takeDue() leases only due events of the providers it is given, leaving the others due and their fences unchanged', async () => {
      const store = await c.create()
      await store.claim(newEvent('tp-github', 'github'), { now: NOW, leaseMs: LEASE, queue: true })
      await store.claim(newEvent('tp-new', 'new-provider'), { now: NOW, leaseMs: LEASE })
      await store.fail({ provider: 'new-provider', eventId: 'tp-new' }, 1, { error: 'x', nextAttemptAt: NOW + 1, now: NOW })
      const taken = await store.takeDue({ now: NOW + 10, leaseMs: LEASE, limit: 10, providers: ['github', 'stripe'] })
      expect(taken.map((e) => e.eventId)).toEqual(['tp-github'])
      expect(await store.get({ provider: 'new-provider', eventId: 'tp-new' })).toMatchObject({ status: 'failed', fence: 1 })
      expect(await store.takeDue({ now: NOW + 10, leaseMs: LEASE, limit: 10, providers: [] })).toEqual([])
      expect((await store.takeDue({ now: NOW + 10, leaseMs: LEASE, limit: 10, providers: ['new-provider'] })).map((e) => e.eventId)).toEqual(['tp-new'])
    })

    it('store.takeDue() returns a body too large for one part whole, as get() does', async () => {
      const store = await c.create()
      const body = `{"text":"${'ü🚀'.repeat(400_000)}"}`
      await store.claim({ ...newEvent('big'), body, digest: 'b'.repeat(64) }, { now: NOW, leaseMs: LEASE, queue: true })
      const [taken] = await store.takeDue({ now: NOW, leaseMs: LEASE, limit: 1, providers: ['github'] })
      expect(taken?.body).toBe(body)
    })

    it('store.release() gives a lease back: the event waits again, due now, with the run uncounted', async () => {
      const store = await c.create()
      const key = { provider: 'github', eventId: 'r1' }
      await store.claim(newEvent('r1'), { now: NOW, leaseMs: LEASE })
      expect(await store.release(key, 2, NOW + 1)).toBe(false)
      expect(await store.release(key, 1, NOW + 1)).toBe(true)
      expect(await store.get(key)).toMatchObject({ status: 'received', fence: 0, nextAttemptAt: NOW + 1, leaseEndsAt: null })
      expect(await dueKeys(store, NOW + 1, 10)).toEqual([key])
    })

    it('store.purge() deletes only events in the given statuses last updated before the cut-off', async () => {
      const store = await c.create()
      const key = (eventId: string) => ({ provider: 'github', eventId })
      await store.claim(newEvent('old-done'), { now: NOW, leaseMs: LEASE })
      await store.complete(key('old-done'), 1, NOW)
      await store.claim(newEvent('new-done'), { now: NOW, leaseMs: LEASE })
      await store.complete(key('new-done'), 1, NOW + 100)
      await store.claim(newEvent('old-dead'), { now: NOW, leaseMs: LEASE })
      await store.fail(key('old-dead'), 1, { error: 'x', nextAttemptAt: null, now: NOW })
      expect(await store.purge({ before: NOW + 50, statuses: ['processed'], now: NOW + 100 })).toBe(1)
      expect((await store.list()).map((e) => e.eventId).sort()).toEqual(['new-done', 'old-dead'])
      expect(await store.purge({ before: NOW + 50, statuses: [], now: NOW + 100 })).toBe(0)
    })

    it("store.requeue({ reason: 'replay' }) queues a processed event to run again as a replay, and refuses one under a live lease", async () => {
      const store = await c.create()
      const key = { provider: 'github', eventId: 'rp1' }
      await store.claim(newEvent('rp1'), { now: NOW, leaseMs: LEASE })
      expect(await store.requeue(key, { now: NOW + 1, reason: 'replay' })).toBe(false)
      await store.complete(key, 1, NOW + 2)
      expect(await store.requeue(key, { now: NOW + 3, reason: 'replay' })).toBe(true)
      expect(await store.get(key)).toMatchObject({ status: 'received', replay: true, replays: 1, nextAttemptAt: NOW + 3, fence: 1, fenceBase: 1 })
      const taken = await store.take(key, { now: NOW + 3, leaseMs: LEASE })
      expect(taken).toMatchObject({ replay: true, fence: 2 })
      await store.complete(key, 2, NOW + 4)
      expect(await store.get(key)).toMatchObject({ status: 'processed', replay: false, replays: 1 })
      expect(await store.requeue({ provider: 'github', eventId: 'unknown' }, { now: NOW, reason: 'replay' })).toBe(false)
    })

    it('store.fail() clears the replay flag so a failed replay is settled, and the retry after it is an ordinary run', async () => {
      const store = await c.create()
      const key = { provider: 'github', eventId: 'rp2' }
      await store.claim(newEvent('rp2'), { now: NOW, leaseMs: LEASE })
      await store.complete(key, 1, NOW + 1)
      await store.requeue(key, { now: NOW + 2, reason: 'replay' })
      expect(await store.take(key, { now: NOW + 2, leaseMs: LEASE })).toMatchObject({ replay: true, fence: 2 })
      expect(await store.fail(key, 2, { error: 'Error: replay broke', nextAttemptAt: NOW + 10_000, now: NOW + 3 })).toBe(true)
      expect(await store.get(key)).toMatchObject({ status: 'failed', replay: false, replays: 1, lastError: 'Error: replay broke' })
      expect(await store.take(key, { now: NOW + 10_000, leaseMs: LEASE })).toMatchObject({ replay: false, fence: 3 })
    })

    it("store.requeue({ reason: 'retry' }) and requeueAll('dead') give dead events a fresh count of attempts, due now", async () => {
      const store = await c.create()
      const key = (eventId: string) => ({ provider: 'github', eventId })
      for (const id of ['dv1', 'dv2', 'dv3']) {
        await store.claim(newEvent(id), { now: NOW, leaseMs: LEASE })
        await store.fail(key(id), 1, { error: 'x', nextAttemptAt: null, now: NOW })
      }
      await store.claim(newEvent('ok'), { now: NOW, leaseMs: LEASE })
      expect(await store.requeue(key('ok'), { now: NOW, reason: 'retry' })).toBe(false)
      expect(await store.requeue(key('dv1'), { now: NOW + 1, reason: 'retry' })).toBe(true)
      // The fence keeps growing (it shuts out stale runs); the base restarts the count of runs.
      expect(await store.get(key('dv1'))).toMatchObject({ status: 'received', fence: 1, fenceBase: 1, nextAttemptAt: NOW + 1 })
      expect(await store.requeueAll('dead', NOW + 2)).toBe(2)
      expect((await dueKeys(store, NOW + 2, 10)).map((k) => k.eventId).sort()).toEqual(['dv1', 'dv2', 'dv3'])
    })

    it("store.requeueAll('failed') makes failed events due now without touching their fences", async () => {
      const store = await c.create()
      const key = { provider: 'github', eventId: 'fl1' }
      await store.claim(newEvent('fl1'), { now: NOW, leaseMs: LEASE })
      await store.fail(key, 1, { error: 'x', nextAttemptAt: NOW + 3_600_000, now: NOW })
      expect(await store.requeueAll('failed', NOW + 5)).toBe(1)
      expect(await store.get(key)).toMatchObject({ status: 'failed', fence: 1, nextAttemptAt: NOW + 5 })
    })

    it('store.claim() answers duplicate for the same digest under another event id, and claims a different digest', async () => {
      const store = await c.create()
      await store.claim({ ...newEvent('dg1'), digest: 'a'.repeat(64) }, { now: NOW, leaseMs: LEASE })
      expect(await store.claim({ ...newEvent('dg2'), digest: 'a'.repeat(64) }, { now: NOW, leaseMs: LEASE })).toEqual({ outcome: 'duplicate' })
      expect(await store.claim({ ...newEvent('dg2'), digest: 'a'.repeat(64) }, { now: NOW, leaseMs: LEASE, queue: true })).toEqual({ outcome: 'duplicate' })
      expect((await store.claim({ ...newEvent('dg3'), digest: 'b'.repeat(64) }, { now: NOW, leaseMs: LEASE })).outcome).toBe('claimed')
      expect(await store.get({ provider: 'github', eventId: 'dg2' })).toBeUndefined()
    })

    it('store.claim() re-claims a failed event delivered again with the same digest', async () => {
      const store = await c.create()
      const key = { provider: 'github', eventId: 'dg4' }
      await store.claim({ ...newEvent('dg4'), digest: 'c'.repeat(64) }, { now: NOW, leaseMs: LEASE })
      await store.fail(key, 1, { error: 'x', nextAttemptAt: NOW + 10, now: NOW })
      expect(await store.claim({ ...newEvent('dg4'), digest: 'c'.repeat(64) }, { now: NOW + 1, leaseMs: LEASE })).toMatchObject({
        outcome: 'claimed',
        event: { fence: 2 },
      })
    })

    it('store.claim() of a failed row\'s digest under another event_id takes that row over: its key, type, body and headers, under its next fence', async () => {
      const store = await c.create()
      const key = { provider: 'github', eventId: 'to1' }
      const stored = { ...newEvent('to1'), digest: 'e'.repeat(64) }
      await store.claim(stored, { now: NOW, leaseMs: LEASE })
      await store.fail(key, 1, { error: 'x', nextAttemptAt: NOW + 10_000, now: NOW })
      const forged = { ...stored, eventId: 'to1-forged', type: 'push', headers: { 'x-github-delivery': 'to1-forged' } }
      expect(await store.claim(forged, { now: NOW + 1, leaseMs: LEASE })).toMatchObject({
        outcome: 'claimed',
        inserted: false,
        event: { ...stored, status: 'processing', fence: 2, leaseEndsAt: NOW + 1 + LEASE },
      })
      expect(await store.get({ provider: 'github', eventId: 'to1-forged' })).toBeUndefined()
    })

    it('store.claim() of a failed row\'s event_id with other bytes takes that row over and returns the stored body, never the delivered one', async () => {
      const store = await c.create()
      const key = { provider: 'github', eventId: 'to2' }
      const stored = { ...newEvent('to2'), digest: 'f'.repeat(64) }
      await store.claim(stored, { now: NOW, leaseMs: LEASE })
      await store.fail(key, 1, { error: 'x', nextAttemptAt: NOW + 10_000, now: NOW })
      const other = { ...stored, type: 'push', body: '{"ref":"refs/heads/main"}', digest: '0'.repeat(64) }
      expect(await store.claim(other, { now: NOW + 1, leaseMs: LEASE })).toMatchObject({ outcome: 'claimed', inserted: false, event: { ...stored, fence: 2 } })
      expect(await store.get(key)).toMatchObject({ body: stored.body, type: stored.type, digest: stored.digest })
    })

    it('store.claim() answers duplicate when the digest matches a processed row, even under the id of a failed one, and leaves the failed one alone', async () => {
      const store = await c.create()
      await store.claim({ ...newEvent('to3-done'), digest: '1'.repeat(64) }, { now: NOW, leaseMs: LEASE })
      await store.complete({ provider: 'github', eventId: 'to3-done' }, 1, NOW)
      await store.claim({ ...newEvent('to3-failed'), digest: '2'.repeat(64) }, { now: NOW, leaseMs: LEASE })
      await store.fail({ provider: 'github', eventId: 'to3-failed' }, 1, { error: 'x', nextAttemptAt: NOW + 10, now: NOW })
      const replayed = { ...newEvent('to3-failed'), digest: '1'.repeat(64) }
      expect(await store.claim(replayed, { now: NOW + 20, leaseMs: LEASE })).toEqual({ outcome: 'duplicate' })
      expect(await store.claim(replayed, { now: NOW + 20, leaseMs: LEASE, queue: true })).toEqual({ outcome: 'duplicate' })
      expect(await store.get({ provider: 'github', eventId: 'to3-failed' })).toMatchObject({ status: 'failed', fence: 1 })
    })

    it('store.claim({ queue: true }) of a failed row\'s digest under another event_id queues that row, due now', async () => {
      const store = await c.create()
      await store.claim({ ...newEvent('to4'), digest: '3'.repeat(64) }, { now: NOW, leaseMs: LEASE })
      await store.fail({ provider: 'github', eventId: 'to4' }, 1, { error: 'x', nextAttemptAt: NOW + 10_000, now: NOW })
      expect(await store.claim({ ...newEvent('to4-other'), digest: '3'.repeat(64) }, { now: NOW + 5, leaseMs: LEASE, queue: true })).toMatchObject({
        outcome: 'queued',
        inserted: false,
        event: { eventId: 'to4', status: 'received', nextAttemptAt: NOW + 5, fence: 1 },
      })
    })

    it('store.claim() hands exactly one of 10 concurrent takeovers of a failed row (by its digest under new ids, and by its id) the lease', async () => {
      const store = await c.create()
      const stored = { ...newEvent('to5'), digest: '4'.repeat(64) }
      await store.claim(stored, { now: NOW, leaseMs: LEASE })
      await store.fail({ provider: 'github', eventId: 'to5' }, 1, { error: 'x', nextAttemptAt: NOW + 10, now: NOW })
      const results = await Promise.all(
        Array.from({ length: 10 }, (_, i) => store.claim(i % 2 === 0 ? stored : { ...stored, eventId: `to5-${i}` }, { now: NOW + 1, leaseMs: LEASE })),
      )
      expect(results.filter((r) => r.outcome === 'claimed')).toHaveLength(1)
      expect(await store.list()).toHaveLength(1)
    })

    it('store.claim() taking over a row whose body is over one part returns that body whole', async () => {
      const store = await c.create()
      const body = `{"text":"${'ü🚀'.repeat(400_000)}"}`
      await store.claim({ ...newEvent('to6'), body, digest: '5'.repeat(64) }, { now: NOW, leaseMs: LEASE })
      await store.fail({ provider: 'github', eventId: 'to6' }, 1, { error: 'x', nextAttemptAt: NOW + 10, now: NOW })
      const taken = await store.claim({ ...newEvent('to6'), digest: '6'.repeat(64) }, { now: NOW + 1, leaseMs: LEASE })
      expect(taken.outcome === 'claimed' && taken.event.body === body).toBe(true)
    })

    it('store.get() and store.take() return a 3 MiB body exactly, multi-byte characters and split surrogate pairs included', async () => {
      const store = await c.create()
      const key = { provider: 'github', eventId: 'big' }
      // 'é' is 2 UTF-8 bytes and '🚀' a surrogate pair: parts must split neither the bytes nor the pair.
      const unit = 'é🚀'.padEnd(1000, 'x')
      const body = `{"text":"${unit.repeat(3 * 1024)}"}`
      await store.claim({ ...newEvent('big'), body, digest: 'd'.repeat(64) }, { now: NOW, leaseMs: LEASE, queue: true })
      expect((await store.get(key))?.body === body).toBe(true)
      expect((await store.take(key, { now: NOW, leaseMs: LEASE }))?.body === body).toBe(true)
    })

    it('store.purge() never deletes an event a run holds a live lease on, whatever statuses it is asked for', async () => {
      const store = await c.create()
      await store.claim(newEvent('leased'), { now: NOW, leaseMs: LEASE })
      await store.claim(newEvent('expired'), { now: NOW - 2 * LEASE, leaseMs: LEASE })
      expect(await store.purge({ before: NOW + 1, statuses: ['processing'], now: NOW })).toBe(1)
      expect((await store.list()).map((e) => e.eventId)).toEqual(['leased'])
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
      expect(await ids({ provider: 'github', eventId: 'l1' })).toEqual(['l1'])
      expect(await ids({ provider: 'stripe', eventId: 'l1' })).toEqual([])
    })

    it('store.list({ q }) returns only events whose id or type contains q', async () => {
      const store = await c.create()
      await store.claim(newEvent('evt_needle_1'), { now: NOW, leaseMs: LEASE })
      await store.claim({ ...newEvent('evt_2'), type: 'push.needle' }, { now: NOW + 1, leaseMs: LEASE })
      await store.claim(newEvent('evt_3'), { now: NOW + 2, leaseMs: LEASE })
      expect((await store.list({ q: 'needle' })).map((e) => e.eventId)).toEqual(['evt_2', 'evt_needle_1'])
      expect(await store.list({ q: '%' })).toEqual([])
    })

    it('store.list({ before }) pages newest first through events received in the same millisecond without repeats or gaps', async () => {
      const store = await c.create()
      for (const id of ['p1', 'p2', 'p3', 'p4', 'p5']) await store.claim(newEvent(id), { now: id === 'p5' ? NOW + 1 : NOW, leaseMs: LEASE })
      const seen: string[] = []
      let before: { receivedAt: number; provider: string; eventId: string } | undefined
      for (let page = 0; page < 4; page++) {
        const rows = await store.list({ limit: 2, ...(before && { before }) })
        seen.push(...rows.map((e) => e.eventId))
        const last = rows.at(-1)
        if (last === undefined) break
        before = { receivedAt: last.receivedAt, provider: last.provider, eventId: last.eventId }
      }
      expect(seen).toEqual(['p5', 'p4', 'p3', 'p2', 'p1'])
    })

    it('store.stats() counts events by provider and status and gives the oldest due time', async () => {
      const store = await c.create()
      await store.claim(newEvent('s1', 'github'), { now: NOW, leaseMs: LEASE })
      await store.claim(newEvent('s2', 'github'), { now: NOW, leaseMs: LEASE })
      await store.claim(newEvent('s3', 'stripe'), { now: NOW, leaseMs: LEASE })
      await store.complete({ provider: 'github', eventId: 's1' }, 1, NOW)
      await store.fail({ provider: 'stripe', eventId: 's3' }, 1, { error: 'x', nextAttemptAt: NOW + 500, now: NOW })
      const stats = await store.stats(NOW + 1_000)
      const counts = [...stats.counts].sort((a, b) => `${a.provider}${a.status}`.localeCompare(`${b.provider}${b.status}`))
      expect(counts).toEqual([
        { provider: 'github', status: 'processed', count: 1 },
        { provider: 'github', status: 'processing', count: 1 },
        { provider: 'stripe', status: 'failed', count: 1 },
      ])
      expect(stats.oldestDueAt).toBe(NOW + 500)
      expect((await store.stats(NOW + 499)).oldestDueAt).toBeNull()
    })

    it('store.activity() counts events received since a time per bucket and current status', async () => {
      const store = await c.create()
      await store.claim(newEvent('a0'), { now: NOW - 1, leaseMs: LEASE })
      await store.claim(newEvent('a1'), { now: NOW, leaseMs: LEASE })
      await store.claim(newEvent('a2'), { now: NOW + 59_999, leaseMs: LEASE })
      await store.claim(newEvent('a3'), { now: NOW + 60_000, leaseMs: LEASE })
      await store.complete({ provider: 'github', eventId: 'a2' }, 1, NOW + 60_000)
      const buckets = await store.activity(NOW, 60_000)
      const sorted = [...buckets].sort((a, b) => a.start - b.start || a.status.localeCompare(b.status))
      expect(sorted).toEqual([
        { start: NOW, status: 'processed', count: 1 },
        { start: NOW, status: 'processing', count: 1 },
        { start: NOW + 60_000, status: 'processing', count: 1 },
      ])
    })

    it("store.requeue({ reason: 'retry' }) gives a failed event a fresh count of attempts, due now", async () => {
      const store = await c.create()
      const key = { provider: 'github', eventId: 'rf' }
      await store.claim(newEvent('rf'), { now: NOW, leaseMs: LEASE })
      await store.fail(key, 1, { error: 'x', nextAttemptAt: NOW + 3_600_000, now: NOW })
      expect(await store.requeue(key, { now: NOW + 1, reason: 'retry' })).toBe(true)
      expect(await store.get(key)).toMatchObject({ status: 'received', fenceBase: 1, nextAttemptAt: NOW + 1 })
      expect(await dueKeys(store, NOW + 1, 10)).toEqual([key])
    })

    it('store.list() returns summaries without body or headers, with every other field of the row', async () => {
      const store = await c.create()
      const claimed = await store.claim(newEvent('s1'), { now: NOW, leaseMs: LEASE })
      if (claimed.outcome !== 'claimed') throw new Error(`expected a claim, got ${claimed.outcome}`)
      const { body: _body, headers: _headers, ...summary } = claimed.event
      const [row] = await store.list()
      expect(row).toEqual(summary)
      expect(Object.keys(row!)).not.toContain('body')
      expect(Object.keys(row!)).not.toContain('headers')
    })

    handlerRecordCases(c.create)
    orderingCases(c.create)
  })
}
