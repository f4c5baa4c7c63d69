import Database from 'better-sqlite3'
import { readFileSync, statSync } from 'node:fs'
import { dirname, join } from 'node:path'
import { sql } from 'drizzle-orm'
import { describe, expect, it } from 'vitest'
import { type SqliteTransaction, sqliteStore } from '../../src/stores/sqlite/index.js'
import { testStore, testTransactions } from '../../src/testing/vitest.js'
import { NOW, waitFor } from '../helpers.js'
import { onCleanup, tempStore } from '../node-helpers.js'

testStore({ name: 'sqlite', create: () => tempStore().store })
testTransactions({
  name: 'sqlite',
  async create() {
    const { store } = tempStore()
    const table = {
      create: async () => void store.database.exec('CREATE TABLE effects (id TEXT NOT NULL)'),
      insert: async (tx: SqliteTransaction, id: string) => void tx.run(sql`INSERT INTO effects VALUES (${id})`),
      ids: async () => store.database.prepare('SELECT id FROM effects').pluck().all() as string[],
    }
    return { store, table }
  },
})

describe('sqliteStore specifics', () => {
  it("store.requeue({ reason: 'revive' }) still retries a dead event with a fresh count of runs: the deprecated name of 'retry'", async () => {
    const { store } = tempStore()
    const key = { provider: 'github', eventId: 'gh-revive' }
    await store.claim({ ...key, type: 't', body: '{}', headers: {} }, { now: NOW, leaseMs: 1000 })
    await store.fail(key, 1, { error: 'x', nextAttemptAt: null, now: NOW })
    expect(await store.requeue(key, { now: NOW + 1, reason: 'revive' })).toBe(true)
    expect(await store.get(key)).toMatchObject({ status: 'received', fence: 1, fenceBase: 1, nextAttemptAt: NOW + 1 })
  })

  it('sqliteStore() opens its file in WAL mode with the webhook_events table and UNIQUE(provider, event_id)', () => {
    const { path } = tempStore()
    const db = new Database(path, { readonly: true })
    onCleanup(() => void db.close())
    expect(db.pragma('journal_mode', { simple: true })).toBe('wal')
    const indexes = db.prepare("select sql from sqlite_master where type = 'index' and tbl_name = 'webhook_events'").all()
    expect(indexes).toContainEqual({
      sql: 'CREATE UNIQUE INDEX `webhook_events_provider_event_id` ON `webhook_events` (`provider`,`event_id`)',
    })
  })

  it('sqliteStore() keeps events across close and reopen of the same file, and migrates only once', async () => {
    const { store, path } = tempStore()
    await store.claim(
      { provider: 'stripe', eventId: 'evt_keep', type: 't', body: '{}', headers: {} },
      { now: NOW, leaseMs: 1000 },
    )
    await store.close()
    const reopened = sqliteStore({ path })
    onCleanup(() => reopened.close())
    expect((await reopened.get({ provider: 'stripe', eventId: 'evt_keep' }))?.type).toBe('t')
    const db = new Database(path, { readonly: true })
    onCleanup(() => void db.close())
    const journal = JSON.parse(readFileSync('drizzle/meta/_journal.json', 'utf8')) as { entries: unknown[] }
    expect(db.prepare('select count(*) as n from __drizzle_migrations').get()).toEqual({ n: journal.entries.length })
  })

  it('sqliteStore({ readonly: true }) opens and lists a migrated file while another connection holds the write lock, and rejects writes', async () => {
    const { store, path } = tempStore()
    await store.claim({ provider: 'stripe', eventId: 'evt_ro', type: 't', body: '{}', headers: {} }, { now: NOW, leaseMs: 1000 })
    const writer = new Database(path)
    onCleanup(() => void writer.close())
    writer.exec('BEGIN IMMEDIATE')
    // A read-write open would migrate under BEGIN IMMEDIATE and fail here with SQLITE_BUSY.
    const reader = sqliteStore({ path, readonly: true, busyTimeoutMs: 200 })
    onCleanup(() => reader.close())
    expect((await reader.list()).map((e) => e.eventId)).toEqual(['evt_ro'])
    expect((await reader.get({ provider: 'stripe', eventId: 'evt_ro' }))?.body).toBe('{}')
    writer.exec('ROLLBACK')
    await expect(reader.complete({ provider: 'stripe', eventId: 'evt_ro' }, 1, NOW)).rejects.toMatchObject({ code: 'SQLITE_READONLY' })
  })

  it('sqliteStore({ readonly: true }) throws for a file the webhook-inbox migrations were never applied to, saying how to apply them', () => {
    const { path } = tempStore()
    const bare = join(dirname(path), 'bare.db')
    new Database(bare).close()
    expect(() => sqliteStore({ path: bare, readonly: true })).toThrow(/missing (\d+) of \1 webhook-inbox migrations; open it read-write once/)
  })

  it('store.claim() rejects with an error once the store is closed (the inbox turns it into 503)', async () => {
    const closed = sqliteStore({ path: ':memory:' })
    await closed.close()
    await expect(
      closed.claim({ provider: 'p', eventId: 'e', type: 't', body: '', headers: {} }, { now: NOW, leaseMs: 1 }),
    ).rejects.toThrow()
  })

  it('sqliteStore() checkpoints the WAL from its own thread, so a file written in rounds keeps a WAL of about one round', async () => {
    const { store, path } = tempStore()
    const body = 'x'.repeat(2000)
    for (let round = 0; round < 8; round++) {
      const size = statSync(path).size
      await Promise.all(
        Array.from({ length: 200 }, (_, i) =>
          store.claim({ provider: 'p', eventId: `r${round}-${i}`, type: 't', body, headers: {}, digest: `r${round}-${i}` }, { now: NOW, leaseMs: 1000 }),
        ),
      )
      // The round's pages reach the file only through a checkpoint; the next write then starts the WAL over.
      await waitFor(() => statSync(path).size > size, 5_000, `round ${round} checkpointed into the file`)
    }
    const frames = store.database.pragma('wal_checkpoint(PASSIVE)', { simple: false }) as { log: number }[]
    // Eight rounds of 200 × 2 KB stay far below the main connection's own threshold (10,000 pages):
    // without the thread the WAL would hold all of them.
    expect(frames[0]!.log * 4096).toBeLessThan((statSync(path).size + 1) / 2)
  })
})
