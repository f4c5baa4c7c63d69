import Database from 'better-sqlite3'
import { readFileSync } from 'node:fs'
import { describe, expect, it } from 'vitest'
import { sqliteStore } from '../../src/stores/sqlite.js'
import { testStore } from '../conformance/store.js'
import { NOW } from '../helpers.js'
import { onCleanup, tempStore } from '../node-helpers.js'

testStore({ name: 'sqlite', create: () => tempStore().store })

describe('sqliteStore specifics', () => {
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

  it('store.claim() rejects with an error once the store is closed (the inbox turns it into 503)', async () => {
    const closed = sqliteStore({ path: ':memory:' })
    await closed.close()
    await expect(
      closed.claim({ provider: 'p', eventId: 'e', type: 't', body: '', headers: {} }, { now: NOW, leaseMs: 1 }),
    ).rejects.toThrow()
  })
})
