import { describe, expect, it } from 'vitest'
import { sqliteStore } from '../../src/stores/sqlite.js'
import { NOW } from '../helpers.js'
import { onCleanup, tempStore } from '../node-helpers.js'

const event = (eventId: string) => ({ provider: 'github', eventId, type: 'push', body: '{}', headers: {} })

describe('group commit (sqliteStore)', () => {
  it('runs the store calls of one event-loop turn in one transaction, each resolving after its COMMIT', async () => {
    const { path } = tempStore()
    const store = sqliteStore({ path })
    onCleanup(() => store.close())
    const database = store.database
    const exec = database.exec.bind(database)
    const transactions: string[] = []
    database.exec = (source: string) => {
      transactions.push(source)
      return exec(source)
    }
    const claims = await Promise.all(Array.from({ length: 20 }, (_, i) => store.claim(event(`gc-${i}`), { now: NOW, leaseMs: 1000 })))
    expect(claims.every((c) => c.outcome === 'claimed')).toBe(true)
    expect(transactions).toEqual(['BEGIN IMMEDIATE', 'COMMIT'])
    expect(database.inTransaction).toBe(false)
  })

  it('rejects only the call whose statement fails, commits the rest of the batch, and leaves no transaction open', async () => {
    const { path } = tempStore()
    const store = sqliteStore({ path })
    onCleanup(() => store.close())
    // A row whose headers are not JSON makes get() throw while mapping it; the claims around it must land.
    store.database.prepare("INSERT INTO webhook_events (provider, event_id, type, body, headers, status, attempts, received_at, updated_at) VALUES ('github', 'broken', 'push', '{}', 'not json', 'processed', 1, 0, 0)").run()
    const results = await Promise.allSettled([
      store.claim(event('before'), { now: NOW, leaseMs: 1000 }),
      store.get({ provider: 'github', eventId: 'broken' }),
      store.claim(event('after'), { now: NOW, leaseMs: 1000 }),
    ])
    expect(results.map((r) => r.status)).toEqual(['fulfilled', 'rejected', 'fulfilled'])
    expect(store.database.inTransaction).toBe(false)
    const ids = store.database.prepare("SELECT event_id FROM webhook_events WHERE event_id <> 'broken' ORDER BY event_id").pluck().all()
    expect(ids).toEqual(['after', 'before'])
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
