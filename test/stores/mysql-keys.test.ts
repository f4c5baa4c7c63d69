import { describe, expect, it } from 'vitest'
import { testKeys } from '../../src/testing/vitest.js'
import { NOW } from '../helpers.js'
import { MYSQL_URL, sameDatabaseStore, tempMysqlStore } from '../mysql-helpers.js'

const request = (key: string) => ({ scope: 'acct_1', key, fingerprint: 'f'.repeat(64), method: 'POST', path: '/orders' })

describe.skipIf(!MYSQL_URL)('mysql keys', () => {
  testKeys({ name: 'mysql', create: async () => (await tempMysqlStore()).store.keys })

  describe('mysqlStore().keys specifics', () => {
    it('store.keys.begin() on two stores of one database starts exactly one of 20 concurrent begins of one key', async () => {
      const { store: a, url } = await tempMysqlStore()
      const b = sameDatabaseStore(url)
      await Promise.all([a.ready(), b.ready()])
      const results = await Promise.all(Array.from({ length: 20 }, (_, i) => (i % 2 ? a : b).keys.begin(request('race'), { now: NOW, lockMs: 1000, ttl: 86_400_000 })))
      expect(results.filter((r) => r.outcome === 'started')).toHaveLength(1)
      expect(results.filter((r) => r.outcome === 'in_flight')).toHaveLength(19)
    })

    it("store.keys.begin() treats keys that differ only in case or a trailing space as different keys", async () => {
      const { store } = await tempMysqlStore()
      const outcomes = await Promise.all(['Key-1', 'key-1', 'key-1 '].map(async (key) => (await store.keys.begin(request(key), { now: NOW, lockMs: 1000, ttl: 86_400_000 })).outcome))
      expect(outcomes).toEqual(['started', 'started', 'started'])
    })
  })
})
