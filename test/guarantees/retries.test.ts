import { describe, expect, it } from 'vitest'
import { github, stripe } from '../../providers/index.js'
import type { WebhookError } from '../../src/errors.js'
import { createInbox } from '../../src/inbox.js'
import type { InboxEvent } from '../../src/types.js'
import { sqliteStore } from '../../src/stores/sqlite/index.js'
import { NOW, signedDelivery, waitFor } from '../helpers.js'
import { onCleanup, tempStore } from '../node-helpers.js'

const secret = 'retry-secret'
const providers = { github: github({ secret }), stripe: stripe({ secret, now: () => NOW }) }
const issue = (id: string) =>
  signedDelivery(providers.github, 'github', { body: JSON.stringify({ action: 'opened', issue: { node_id: id } }), id, type: 'issues' })

function setup(options: { maxAttempts?: number; mode?: 'inline' | 'queue'; leaseMs?: number } = {}) {
  const { store, path } = tempStore()
  const clock = { now: NOW }
  const inbox = createInbox({ store, providers, now: () => clock.now, backoff: { baseMs: 1000, maxMs: 60_000 }, ...options })
  inbox.onError(() => {})
  return { store, path, inbox, clock }
}

describe('inbox.sweep() (the sweeper)', () => {
  it('retries a failing handler with growing delays, then dead-letters it with its last error and calls onDeadLetter once', async () => {
    const { inbox, store, clock } = setup({ maxAttempts: 4 })
    const attempts: number[] = []
    inbox.onAny((event) => {
      attempts.push(event.attempt)
      throw new Error(`failure ${event.attempt}`)
    })
    const dead: [InboxEvent, WebhookError][] = []
    inbox.onDeadLetter((event, error) => void dead.push([event, error]))
    const key = { provider: 'github', eventId: 'gh-fail' }

    expect((await inbox.fetch(await issue('gh-fail'))).status).toBe(500)
    const delays: number[] = []
    for (let run = 2; run <= 4; run++) {
      const row = (await store.get(key))!
      delays.push(row.nextAttemptAt! - row.updatedAt)
      clock.now = row.nextAttemptAt! - 1
      expect((await inbox.sweep()).taken).toBe(0)
      clock.now = row.nextAttemptAt!
      expect(await inbox.sweep()).toMatchObject({ taken: 1, [run === 4 ? 'dead' : 'failed']: 1 })
    }
    // Delay after attempt n lies in [base·2^(n-1)/2, base·2^(n-1)].
    delays.forEach((delay, i) => {
      const ceiling = 1000 * 2 ** i
      expect(delay).toBeGreaterThanOrEqual(ceiling / 2)
      expect(delay).toBeLessThanOrEqual(ceiling)
    })
    expect(attempts).toEqual([1, 2, 3, 4])
    expect(await store.get(key)).toMatchObject({ status: 'dead', fence: 4, lastError: 'Error: failure 4', nextAttemptAt: null })
    expect(dead).toHaveLength(1)
    expect([dead[0]![0].id, dead[0]![1].code]).toEqual(['gh-fail', 'handler_failed'])
    clock.now += 10 * 60_000
    expect((await inbox.sweep()).taken).toBe(0)
    expect(dead).toHaveLength(1)
  })

  it('inbox.sweep() finishes an event whose run died holding the lease, once the lease has run out', async () => {
    const { inbox, store, clock } = setup({ leaseMs: 5000 })
    await store.claim(
      { provider: 'github', eventId: 'gh-orphan', type: 'issues.opened', body: '{"action":"opened","issue":{"number":7}}', headers: { 'x-github-delivery': 'gh-orphan', 'x-github-event': 'issues' } },
      { now: NOW, leaseMs: 5000 },
    )
    const seen: unknown[] = []
    inbox.on('github', 'issues', (event) => void seen.push(event.payload.issue.number))
    clock.now = NOW + 4999
    expect((await inbox.sweep()).taken).toBe(0)
    clock.now = NOW + 5000
    expect(await inbox.sweep()).toMatchObject({ taken: 1, processed: 1 })
    expect(seen).toEqual([7])
    expect(await store.get({ provider: 'github', eventId: 'gh-orphan' })).toMatchObject({ status: 'processed', fence: 2 })
  })
})

describe('handler context', () => {
  it('ctx.signal is aborted when the run outlives its lease, and the late finish is answered as a duplicate', async () => {
    const { inbox, store } = setup({ leaseMs: 100 })
    let aborted: unknown
    inbox.onAny(async (_event, ctx) => {
      await new Promise<void>((resolve) => ctx.signal.addEventListener('abort', () => resolve()))
      aborted = ctx.signal.reason
    })
    const response = await inbox.fetch(await issue('gh-slow'))
    expect(String(aborted)).toContain('lease of 100 ms ran out')
    // Nobody took the event over meanwhile, so the run still completes it.
    expect(response.headers.get('webhook-inbox-status')).toBe('processed')
    expect((await store.get({ provider: 'github', eventId: 'gh-slow' }))?.status).toBe('processed')
  })

  it('a run that finishes after another process took its event over does not mark it, and is answered 200 duplicate', async () => {
    const { inbox, store, clock, path } = setup({ leaseMs: 1000 })
    // Another process on the same file, with its own connection and its own runs.
    const otherStore = sqliteStore({ path })
    onCleanup(() => otherStore.close())
    const other = createInbox({ store: otherStore, providers, now: () => clock.now, leaseMs: 1000 })
    let release!: () => void
    const gate = new Promise<void>((resolve) => (release = resolve))
    let successes = 0
    let firstStarted = false
    inbox.onAny(async () => {
      firstStarted = true
      await gate
      successes++
    })
    other.onAny(() => void successes++)
    const first = inbox.fetch(await issue('gh-takeover'))
    await waitFor(() => firstStarted, 5_000, 'the first run to start')
    clock.now += 1000
    const second = await other.fetch(await issue('gh-takeover'))
    expect(second.headers.get('webhook-inbox-status')).toBe('processed')
    release()
    expect((await first).headers.get('webhook-inbox-status')).toBe('duplicate')
    expect(await store.get({ provider: 'github', eventId: 'gh-takeover' })).toMatchObject({ status: 'processed', fence: 2 })
    expect(successes).toBe(2)
  })

  it('inbox.fetch() never starts a second copy of an event whose run in this process outlived its lease: the redelivery is a failed run, answered 500', async () => {
    const { inbox, store, clock } = setup({ leaseMs: 1000 })
    let release!: () => void
    const gate = new Promise<void>((resolve) => (release = resolve))
    let started = 0
    inbox.onAny(async () => {
      started++
      await gate
    })
    const first = inbox.fetch(await issue('gh-hung'))
    await waitFor(() => started === 1, 5_000, 'the first run to start')
    clock.now += 1000
    const second = await inbox.fetch(await issue('gh-hung'))
    expect([second.status, ((await second.json()) as { code: string }).code]).toEqual([500, 'handler_failed'])
    expect(started).toBe(1)
    expect(await store.get({ provider: 'github', eventId: 'gh-hung' })).toMatchObject({ status: 'failed', fence: 2 })
    expect((await store.get({ provider: 'github', eventId: 'gh-hung' }))?.lastError).toContain('outlived its lease')
    release()
    // The first run's late result is not its to record any more.
    expect((await first).headers.get('webhook-inbox-status')).toBe('duplicate')
  })

})

describe('queue mode', () => {
  it('inbox.fetch() answers 202 queued once the event is stored, before a slow handler finishes; a duplicate meanwhile gets 200 without a second run', async () => {
    const { inbox, store } = setup({ mode: 'queue' })
    let release!: () => void
    const gate = new Promise<void>((resolve) => (release = resolve))
    let started = 0
    let finished = 0
    inbox.onAny(async () => {
      started++
      await gate
      finished++
    })
    const response = await inbox.fetch(await issue('gh-queued'))
    expect([response.status, response.headers.get('webhook-inbox-status')]).toEqual([202, 'queued'])
    expect(await store.get({ provider: 'github', eventId: 'gh-queued' })).toBeDefined()
    const duplicate = await inbox.fetch(await issue('gh-queued'))
    expect([duplicate.status, duplicate.headers.get('webhook-inbox-status')]).toEqual([200, 'duplicate'])
    expect(finished).toBe(0)
    release()
    await inbox.shutdown()
    expect([started, finished]).toEqual([1, 1])
  })

  it('a queued event whose background run failed is run again by the sweeper', async () => {
    const { inbox, store, clock } = setup({ mode: 'queue' })
    let calls = 0
    inbox.onAny(() => {
      calls++
      if (calls === 1) throw new Error('first run fails')
    })
    await inbox.fetch(await issue('gh-queued-retry'))
    const key = { provider: 'github', eventId: 'gh-queued-retry' }
    await waitFor(async () => (await store.get(key))?.status === 'failed', 5_000, 'the background run to fail')
    clock.now += 60_000
    expect(await inbox.sweep()).toMatchObject({ processed: 1 })
    expect(calls).toBe(2)
  })
})

describe('queue mode under a burst', () => {
  it('runs at most 32 queued events at once in-process and leaves the rest, stored and due, for the sweeper', async () => {
    const { inbox, store } = setup({ mode: 'queue' })
    let running = 0
    let peak = 0
    let release!: () => void
    const gate = new Promise<void>((resolve) => (release = resolve))
    const done = new Set<string>()
    inbox.onAny(async (event) => {
      peak = Math.max(peak, ++running)
      await gate
      running--
      done.add(event.id)
    })
    const answers = await Promise.all(Array.from({ length: 50 }, async (_, i) => (await inbox.fetch(await issue(`burst-${i}`))).status))
    expect(answers.every((status) => status === 202)).toBe(true)
    await waitFor(() => running === 32, 5_000, '32 background runs')
    expect(await store.list({ status: 'received' })).toHaveLength(18)
    release()
    await waitFor(() => done.size === 32, 5_000, 'the background runs to finish')
    expect(await inbox.sweep({ concurrency: 8 })).toMatchObject({ taken: 18, processed: 18 })
    expect(done.size).toBe(50)
    expect(peak).toBe(32)
  })
})

describe('retention', () => {
  it('inbox.purge({ olderThan }) deletes processed events past the age and keeps failed ones', async () => {
    const { inbox, store, clock } = setup()
    inbox.on('github', 'issues', (event) => {
      if (event.id === 'gh-bad') throw new Error('x')
    })
    await inbox.fetch(await issue('gh-old'))
    await inbox.fetch(await issue('gh-bad'))
    clock.now += 10_000
    await inbox.fetch(await issue('gh-new'))
    expect(await inbox.purge({ olderThan: 5_000 })).toBe(1)
    expect((await store.list()).map((e) => e.eventId).sort()).toEqual(['gh-bad', 'gh-new'])
  })
})

describe('shutdown', () => {
  it('inbox.shutdown() aborts a handler still running after graceMs, gives its lease back, and refuses new deliveries with 503', async () => {
    const { inbox, path } = setup()
    let reason: unknown
    let started = false
    inbox.onAny((_event, ctx) => {
      started = true
      return new Promise((_resolve, reject) =>
        ctx.signal.addEventListener('abort', () => {
          reason = ctx.signal.reason
          reject(ctx.signal.reason)
        }),
      )
    })
    const running = inbox.fetch(await issue('gh-shutdown'))
    await waitFor(() => started, 5_000, 'the handler to start')
    const stopping = inbox.shutdown({ graceMs: 50 })
    const refused = await inbox.fetch(await issue('gh-after'))
    const answered = await running
    await stopping
    expect([answered.status, ((await answered.json()) as { code: string }).code]).toEqual([503, 'shutting_down'])
    expect([refused.status, ((await refused.json()) as { code: string }).code]).toEqual([503, 'shutting_down'])
    expect(String(reason)).toContain('shutting down')
    const reopened = sqliteStore({ path })
    onCleanup(() => reopened.close())
    expect(await reopened.get({ provider: 'github', eventId: 'gh-shutdown' })).toMatchObject({ status: 'received', fence: 0 })
    expect(await reopened.get({ provider: 'github', eventId: 'gh-after' })).toBeUndefined()
  })
})

describe('failure edges', () => {
  it('inbox.fetch() answers 503 without crashing the process when the store fails to mark a finished run, and the run after its lease completes the event without calling the recorded handler again', async () => {
    const { store } = setup()
    const clock = { now: NOW }
    let failComplete = true
    const flaky = {
      ...store,
      complete: async (...args: Parameters<typeof store.complete>) => {
        if (failComplete) throw new Error('SQLITE_BUSY: database is locked')
        return store.complete(...args)
      },
    }
    const inbox = createInbox({ store: flaky, providers, now: () => clock.now, leaseMs: 1000 })
    inbox.onError(() => {})
    let successes = 0
    inbox.onAny(() => void successes++)
    const response = await inbox.fetch(await issue('gh-unmarked'))
    expect([response.status, ((await response.json()) as { code: string }).code]).toEqual([503, 'store_unavailable'])
    expect(await store.get({ provider: 'github', eventId: 'gh-unmarked' })).toMatchObject({ status: 'processing', fence: 1 })
    failComplete = false
    clock.now += 1000
    expect(await inbox.sweep()).toMatchObject({ processed: 1 })
    // The handler's own success record was written before complete() failed.
    expect(successes).toBe(1)
    expect(await store.get({ provider: 'github', eventId: 'gh-unmarked' })).toMatchObject({ status: 'processed', fence: 2 })
  })

  it('inbox.sweep() retrying an event whose second handler threw on its first run calls the first handler once and the second twice', async () => {
    const { inbox, clock } = setup()
    const runs: string[] = []
    inbox.onAny((event) => void runs.push(`first#${event.attempt}`))
    inbox.onAny((event) => {
      runs.push(`second#${event.attempt}`)
      if (event.attempt === 1) throw new Error('second handler fails once')
    })
    await inbox.fetch(await issue('gh-two-handlers'))
    clock.now += 60_000
    await inbox.sweep()
    expect(runs).toEqual(['first#1', 'second#1', 'second#2'])
  })

  it('inbox.sweep() dead-letters, without running it again, an event whose runs kept ending without a result (crash loop)', async () => {
    const { inbox, store, clock } = setup({ maxAttempts: 3, leaseMs: 1000 })
    const dead: string[] = []
    inbox.onDeadLetter((event, error) => void dead.push(`${event.id}: ${String(error.cause)}`))
    let calls = 0
    inbox.onAny(() => void calls++)
    const key = { provider: 'github', eventId: 'gh-crash-loop' }
    await store.claim({ ...key, type: 'issues.opened', body: '{}', headers: { 'x-github-delivery': key.eventId, 'x-github-event': 'issues' } }, { now: NOW, leaseMs: 1000 })
    // Two more runs that "die": their leases are taken and never completed.
    for (let i = 1; i <= 2; i++) await store.take(key, { now: NOW + i * 1000, leaseMs: 1000 })
    clock.now = NOW + 3000
    expect(await inbox.sweep()).toMatchObject({ taken: 1, dead: 1 })
    expect(calls).toBe(0)
    expect(await store.get(key)).toMatchObject({ status: 'dead', fence: 4 })
    expect(dead).toEqual(['gh-crash-loop: Error: gave up: 3 runs ended without a result'])
  })

  it('inbox.startSweeper() keeps retrying other events while one handler hangs and ignores its signal', async () => {
    const { store } = setup()
    const tempo = createInbox({ store, providers, leaseMs: 60_000, backoff: { baseMs: 20, maxMs: 20 } })
    tempo.onError(() => {})
    let flakyCalls = 0
    tempo.onAny(async (event) => {
      if (event.id === 'gh-hang') await new Promise(() => {})
      if (event.id === 'gh-flaky' && ++flakyCalls === 1) throw new Error('once')
    })
    void tempo.fetch(await issue('gh-hang'))
    expect((await tempo.fetch(await issue('gh-flaky'))).status).toBe(500)
    const sweeper = tempo.startSweeper({ intervalMs: 10, concurrency: 2 })
    onCleanup(() => sweeper.stop())
    await waitFor(async () => (await store.get({ provider: 'github', eventId: 'gh-flaky' }))?.status === 'processed', 5_000, 'the sweeper to retry gh-flaky')
    expect(flakyCalls).toBe(2)
  })

  it('createInbox() throws a TypeError for a leaseMs a timer cannot wait for, or maxAttempts below 1', () => {
    const { store } = tempStore()
    expect(() => createInbox({ store, providers, leaseMs: 30 * 24 * 3600_000 })).toThrow(TypeError)
    expect(() => createInbox({ store, providers, leaseMs: 0 })).toThrow(TypeError)
    expect(() => createInbox({ store, providers, maxAttempts: 0 })).toThrow(TypeError)
  })
})

describe('inbox.replay()', () => {
  it('inbox.replay() re-runs the handlers of a processed event with event.replay set, bypassing dedupe, and counts it on the row', async () => {
    const { inbox, store } = setup()
    const runs: string[] = []
    inbox.onAny((event) => void runs.push(`${event.attempt}:${event.replay}`))
    await inbox.fetch(await issue('gh-replay'))
    expect(await inbox.replay('github', 'gh-replay')).toEqual({ status: 'processed' })
    expect((await inbox.fetch(await issue('gh-replay'))).headers.get('webhook-inbox-status')).toBe('duplicate')
    expect(runs).toEqual(['1:false', '1:true'])
    expect(await store.get({ provider: 'github', eventId: 'gh-replay' })).toMatchObject({ status: 'processed', replay: false, replays: 1 })
    expect(await inbox.replay('github', 'never-stored')).toEqual({ status: 'missing' })
  })

  it('a replay that fails settles as failed; the sweeper retries it as an ordinary run, dead-lettered after maxAttempts runs of its own', async () => {
    const { inbox, store, clock } = setup({ maxAttempts: 2 })
    const runs: string[] = []
    let failing = false
    inbox.onAny((event) => {
      runs.push(`${event.attempt}:${event.replay}`)
      if (failing) throw new Error('replay fails')
    })
    await inbox.fetch(await issue('gh-replay-fails'))
    failing = true
    expect(await inbox.replay('github', 'gh-replay-fails')).toMatchObject({ status: 'failed' })
    expect(await store.get({ provider: 'github', eventId: 'gh-replay-fails' })).toMatchObject({ status: 'failed', replay: false })
    clock.now += 3_600_000
    expect(await inbox.sweep()).toMatchObject({ dead: 1 })
    expect(runs).toEqual(['1:false', '1:true', '2:false'])
    expect(await store.get({ provider: 'github', eventId: 'gh-replay-fails' })).toMatchObject({ status: 'dead', fence: 3, fenceBase: 1 })
  })

  it('a replay whose runs keep dying is dead-lettered after maxAttempts runs without running again', async () => {
    const { inbox, store, clock } = setup({ maxAttempts: 2, leaseMs: 1000 })
    let calls = 0
    inbox.onAny(() => void calls++)
    const key = { provider: 'github', eventId: 'gh-replay-crash' }
    await inbox.fetch(await issue('gh-replay-crash'))
    await store.requeue(key, { now: clock.now, reason: 'replay' })
    // Two replay runs that die holding their leases.
    for (let i = 0; i < 2; i++) await store.take(key, { now: clock.now + i * 1000, leaseMs: 1000 })
    clock.now += 2000
    expect(await inbox.sweep()).toMatchObject({ dead: 1 })
    expect(calls).toBe(1)
  })

  it('inbox.replay() answers running for an event a run holds right now, and leaves it alone', async () => {
    const { inbox } = setup()
    let release!: () => void
    const gate = new Promise<void>((resolve) => (release = resolve))
    let started = false
    inbox.onAny(async () => {
      started = true
      await gate
    })
    const first = inbox.fetch(await issue('gh-replay-busy'))
    await waitFor(() => started, 5_000, 'the run to start')
    expect(await inbox.replay('github', 'gh-replay-busy')).toEqual({ status: 'running' })
    release()
    expect((await first).status).toBe(200)
  })
})

