import Database from 'better-sqlite3'
import { describe, expect, it } from 'vitest'
import { sqliteStore } from '../../src/stores/sqlite/index.js'
import { NOW } from '../helpers.js'
import { onCleanup, tempStore } from '../node-helpers.js'

const event = (eventId: string) => ({ provider: 'github', eventId, type: 'push', body: '{}', headers: {} })

/** Every SQL text the connection's exec() runs from now on: where BEGIN and COMMIT show up. */
function recordExec(database: ReturnType<typeof sqliteStore>['database']): string[] {
  const exec = database.exec.bind(database)
  const seen: string[] = []
  database.exec = (source: string) => {
    seen.push(source)
    return exec(source)
  }
  return seen
}

describe('group commit (sqliteStore)', () => {
  it('runs the store calls of one event-loop turn in one transaction, each resolving after its COMMIT', async () => {
    const { path } = tempStore()
    const store = sqliteStore({ path })
    onCleanup(() => store.close())
    const transactions = recordExec(store.database)
    const claims = await Promise.all(Array.from({ length: 20 }, (_, i) => store.claim(event(`gc-${i}`), { now: NOW, leaseMs: 1000 })))
    expect(claims.every((c) => c.outcome === 'claimed')).toBe(true)
    expect(transactions).toEqual(['BEGIN IMMEDIATE', 'COMMIT'])
    expect(store.database.inTransaction).toBe(false)
  })

  it("store.claim() that takes a failed row over and store.takeDue() run every statement inside the batch's transaction", async () => {
    const { path } = tempStore()
    const store = sqliteStore({ path })
    onCleanup(() => store.close())
    const key = { provider: 'github', eventId: 'gc-over' }
    await store.claim(event('gc-over'), { now: NOW, leaseMs: 1000 })
    await store.fail(key, 1, { error: 'x', nextAttemptAt: NOW + 10, now: NOW })
    await store.claim(event('gc-due'), { now: NOW, leaseMs: 1000, queue: true })
    // The sweeper's first pass fills missing digests once (awaited, outside the batch); done here.
    await store.takeDue({ now: NOW, leaseMs: 1000, limit: 1, providers: ['none'] })
    // Statements are prepared on first use, so wrapping prepare() sees each one run.
    const outside: string[] = []
    const prepare = store.database.prepare.bind(store.database)
    store.database.prepare = ((source: string) => {
      const statement = prepare(source)
      for (const method of ['all', 'run', 'get'] as const) {
        const call = statement[method].bind(statement) as (...args: unknown[]) => unknown
        ;(statement as unknown as Record<string, unknown>)[method] = (...args: unknown[]) => {
          if (!store.database.inTransaction) outside.push(source)
          return call(...args)
        }
      }
      return statement
    }) as typeof store.database.prepare
    const [claim, due] = await Promise.all([
      store.claim(event('gc-over'), { now: NOW + 20, leaseMs: 1000 }),
      store.takeDue({ now: NOW + 20, leaseMs: 1000, limit: 10, providers: ['github'] }),
    ])
    expect(claim).toMatchObject({ outcome: 'claimed', inserted: false, event: { fence: 2 } })
    expect(due.map((e) => e.eventId)).toEqual(['gc-due'])
    expect(outside).toEqual([])
  })

  it('rejects only the call whose statement fails, commits the rest of the batch, and leaves no transaction open', async () => {
    const { path } = tempStore()
    const store = sqliteStore({ path })
    onCleanup(() => store.close())
    // A NULL body breaks the NOT NULL constraint inside the batch; the claims around it must land.
    const broken = { ...event('broken'), body: null as unknown as string }
    const results = await Promise.allSettled([
      store.claim(event('before'), { now: NOW, leaseMs: 1000 }),
      store.claim(broken, { now: NOW, leaseMs: 1000 }),
      store.claim(event('after'), { now: NOW, leaseMs: 1000 }),
    ])
    expect(results.map((r) => r.status)).toEqual(['fulfilled', 'rejected', 'fulfilled'])
    expect(store.database.inTransaction).toBe(false)
    const ids = store.database.prepare('SELECT event_id FROM webhook_events ORDER BY event_id').pluck().all()
    expect(ids).toEqual(['after', 'before'])
  })

  it('store.get(), store.list() and store.stats() run outside the batches: no BEGIN IMMEDIATE for a read', async () => {
    const { path } = tempStore()
    const store = sqliteStore({ path })
    onCleanup(() => store.close())
    await store.claim(event('r1'), { now: NOW, leaseMs: 1000 })
    const transactions = recordExec(store.database)
    expect((await store.get({ provider: 'github', eventId: 'r1' }))?.status).toBe('processing')
    expect((await store.list()).map((e) => e.eventId)).toEqual(['r1'])
    expect((await store.stats(NOW + 1000)).oldestDueAt).toBe(NOW + 1000)
    expect(transactions).toEqual([])
  })

  it('store.list() and store.get() resolve at once while another connection holds the write lock on the same file', async () => {
    const { path } = tempStore()
    // Were a read to wait for the lock, better-sqlite3 would block this thread for the whole
    // busy timeout (the other connection cannot commit meanwhile) and then fail with SQLITE_BUSY.
    const store = sqliteStore({ path, busyTimeoutMs: 2_000 })
    onCleanup(() => store.close())
    await store.claim(event('committed'), { now: NOW, leaseMs: 1000 })
    const writer = new Database(path)
    onCleanup(() => void writer.close())
    writer.exec('BEGIN IMMEDIATE')
    writer.prepare("UPDATE webhook_events SET status = 'processed' WHERE event_id = 'committed'").run()
    const started = Date.now()
    const listed = await store.list()
    const got = await store.get({ provider: 'github', eventId: 'committed' })
    const elapsed = Date.now() - started
    writer.exec('ROLLBACK')
    // WAL: the reader sees the last committed state, not the writer's open transaction.
    expect(listed.map((e) => [e.eventId, e.status])).toEqual([['committed', 'processing']])
    expect(got?.status).toBe('processing')
    expect(elapsed).toBeLessThan(1_000)
  })

  it('rejects every call of a batch whose BEGIN cannot get the write lock, and writes none of it', async () => {
    const { path } = tempStore()
    const store = sqliteStore({ path, busyTimeoutMs: 20 })
    onCleanup(() => store.close())
    const other = sqliteStore({ path })
    onCleanup(() => other.close())
    other.database.exec('BEGIN IMMEDIATE')
    const results = await Promise.allSettled([store.claim(event('x1'), { now: NOW, leaseMs: 1000 }), store.claim(event('x2'), { now: NOW, leaseMs: 1000 })])
    other.database.exec('ROLLBACK')
    expect(results.map((r) => r.status)).toEqual(['rejected', 'rejected'])
    expect(await store.list()).toEqual([])
    expect((await store.claim(event('x1'), { now: NOW, leaseMs: 1000 })).outcome).toBe('claimed')
  })

  it('close() runs calls still queued, including a release made during shutdown, before closing the file', async () => {
    const { path } = tempStore()
    const store = sqliteStore({ path })
    await store.claim(event('rel'), { now: NOW, leaseMs: 1000 })
    const released = store.release({ provider: 'github', eventId: 'rel' }, 1, NOW + 1)
    await store.close()
    expect(await released).toBe(true)
    const reopened = sqliteStore({ path })
    onCleanup(() => reopened.close())
    expect((await reopened.get({ provider: 'github', eventId: 'rel' }))?.status).toBe('received')
  })
})
