import { describe, expect, it } from 'vitest'
import { testKeys } from '../../src/testing/vitest.js'
import { NOW } from '../helpers.js'
import { PG_URL, sameSchemaStore, tempPostgresStore } from '../postgres-helpers.js'

const request = (key: string) => ({ scope: 'acct_1', key, fingerprint: 'f'.repeat(64), method: 'POST', path: '/orders' })

describe.skipIf(!PG_URL)('postgres keys', () => {
  testKeys({ name: 'postgres', create: () => tempPostgresStore().store.keys })

  describe('postgresStore().keys specifics', () => {
    it('store.keys.begin() writes to the store\'s own schema, so the same key in two schemas is two keys', async () => {
      const { store: a, schema } = tempPostgresStore()
      const { store: b } = tempPostgresStore()
      expect((await a.keys.begin(request('same'), { now: NOW, lockMs: 1000, ttl: 60_000 })).outcome).toBe('started')
      expect((await b.keys.begin(request('same'), { now: NOW, lockMs: 1000, ttl: 60_000 })).outcome).toBe('started')
      const { rows } = await a.pool.query(`select scope, key, status from "${schema}".idempotency_keys`)
      expect(rows).toEqual([{ scope: 'acct_1', key: 'same', status: 'running' }])
    })

    it('store.keys.begin() on two stores of one schema starts exactly one of 20 concurrent begins of one key', async () => {
      const { store: a, schema } = tempPostgresStore()
      const b = sameSchemaStore(schema)
      await Promise.all([a.ready(), b.ready()])
      const results = await Promise.all(Array.from({ length: 20 }, (_, i) => (i % 2 ? a : b).keys.begin(request('race'), { now: NOW, lockMs: 1000, ttl: 60_000 })))
      expect(results.filter((r) => r.outcome === 'started')).toHaveLength(1)
      expect(results.filter((r) => r.outcome === 'in_flight')).toHaveLength(19)
    })
  })
})
