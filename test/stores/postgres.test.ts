import { readFileSync } from 'node:fs'
import pg from 'pg'
import { describe, expect, it } from 'vitest'
import { postgresStore } from '../../src/stores/postgres/index.js'
import { NOW, waitFor } from '../helpers.js'
import { onCleanup } from '../node-helpers.js'
import { dropAfterTest, freshSchema, PG_URL, tempPostgresStore } from '../postgres-helpers.js'

const event = (eventId: string) => ({ provider: 'github', eventId, type: 'issues', body: '{}', headers: {} })
const request = (key: string) => ({ scope: 'acct_1', key, fingerprint: 'f'.repeat(64), method: 'POST', path: '/orders' })

describe.skipIf(!PG_URL)('postgres', () => {
  describe('postgresStore specifics', () => {
    it('postgresStore() from 10 stores starting at once applies every migration exactly once', async () => {
      const schema = freshSchema('migrate')
      dropAfterTest(schema)
      const stores = Array.from({ length: 10 }, () => postgresStore({ connectionString: PG_URL, schema, poolMax: 2 }))
      onCleanup(() => Promise.all(stores.map((s) => s.close())).then(() => {}))
      await Promise.all(stores.map((s) => s.ready()))
      const journal = JSON.parse(readFileSync('drizzle-pg/meta/_journal.json', 'utf8')) as { entries: unknown[] }
      const { rows } = await stores[0]!.pool.query(`select count(*)::int as n from "${schema}".__drizzle_migrations`)
      expect(rows).toEqual([{ n: journal.entries.length }])
      const { rows: tables } = await stores[0]!.pool.query('select table_name from information_schema.tables where table_schema = $1 order by 1', [schema])
      expect(tables.map((r: { table_name: string }) => r.table_name)).toEqual(['__drizzle_migrations', 'idempotency_keys', 'webhook_entities', 'webhook_events', 'webhook_handler_runs'])
    })

    it('postgresStore({ migrate: false }) creates nothing, and its claim() rejects until the schema is migrated', async () => {
      const { store, schema } = tempPostgresStore({ migrate: false })
      await store.ready()
      await expect(store.claim(event('m1'), { now: NOW, leaseMs: 1000 })).rejects.toThrow(/webhook_events/)
      const { rows } = await store.pool.query('select 1 from information_schema.schemata where schema_name = $1', [schema])
      expect(rows).toEqual([])
    })

    it('postgresStore() throws for a connectionString that is not a postgres:// URL', () => {
      expect(() => postgresStore({ connectionString: 'file:./dev.db' })).toThrow(/postgres:\/\/ or postgresql:\/\//)
    })

    it('store.close() leaves a pool passed in open for its owner', async () => {
      const pool = new pg.Pool({ connectionString: PG_URL, max: 2 })
      onCleanup(() => pool.end())
      const schema = freshSchema()
      dropAfterTest(schema)
      const store = postgresStore({ pool, schema })
      await store.claim(event('own'), { now: NOW, leaseMs: 1000 })
      await store.close()
      expect((await pool.query('select 1 as one')).rows).toEqual([{ one: 1 }])
      await expect(store.get({ provider: 'github', eventId: 'own' })).rejects.toMatchObject({ code: 'store_unavailable' })
    })

    it("store.keys.begin() writes to the store's own schema, so the same key in two schemas is two keys", async () => {
      const { store: a, schema } = tempPostgresStore()
      const { store: b } = tempPostgresStore()
      expect((await a.keys.begin(request('same'), { now: NOW, lockMs: 1000, ttl: 60_000 })).outcome).toBe('started')
      expect((await b.keys.begin(request('same'), { now: NOW, lockMs: 1000, ttl: 60_000 })).outcome).toBe('started')
      const { rows } = await a.pool.query(`select scope, key, status from "${schema}".idempotency_keys`)
      expect(rows).toEqual([{ scope: 'acct_1', key: 'same', status: 'running' }])
    })

    it("store.onDue() calls a listener on another store when an event is queued there", async () => {
      const { store: a, schema } = tempPostgresStore()
      const b = postgresStore({ connectionString: PG_URL, schema })
      onCleanup(() => b.close())
      await Promise.all([a.ready(), b.ready()])
      let calls = 0
      const unsubscribe = a.onDue!(() => calls++)
      onCleanup(unsubscribe)
      // The first call comes when LISTEN is in place; only a NOTIFY can cause the next.
      await waitFor(() => calls >= 1, 5_000, 'LISTEN to be in place')
      const before = calls
      await b.claim(event('wake'), { now: NOW, leaseMs: 1000, queue: true })
      await waitFor(() => calls > before, 5_000, 'the NOTIFY from the queued claim')
    })
  })
})
