// What every server store does beyond the conformance suites, written once: the
// dialect files (postgres.test.ts, mysql.test.ts) keep only what one dialect has.
import { expect, it } from 'vitest'
import type { WebhookError } from '../../src/errors.js'
import { testKeys, testStore } from '../../src/testing/vitest.js'
import { NOW } from '../helpers.js'
import { describeEachServer } from '../server-stores.js'

const request = (key: string) => ({ scope: 'acct_1', key, fingerprint: 'f'.repeat(64), method: 'POST', path: '/orders' })

describeEachServer('server store', (dialect) => {
  testStore({ name: dialect.name, create: async () => (await dialect.fresh('events')).open() })
  testKeys({ name: dialect.name, create: async () => (await dialect.fresh('keys')).open().keys })

  it('store.ready() rejects with store_unavailable naming host, port and database, never the password, for an unreachable server', async () => {
    const store = dialect.storeAt(`${new URL(dialect.url).protocol}//inbox:s3cret-pw@127.0.0.1:1/webhooks`)
    const error = await store.ready().then(() => undefined, (e: unknown) => e as WebhookError)
    expect(error).toMatchObject({ code: 'store_unavailable', status: 503 })
    expect(error!.message).toContain('127.0.0.1:1/webhooks')
    expect(error!.message).not.toContain('s3cret-pw')
  })

  it('store.keys.begin() on two stores of one place starts exactly one of 20 concurrent begins of one key', async () => {
    const place = await dialect.fresh('keys_race')
    const [a, b] = [place.open(), place.open()]
    await Promise.all([a.ready(), b.ready()])
    const results = await Promise.all(Array.from({ length: 20 }, (_, i) => (i % 2 ? a : b).keys.begin(request('race'), { now: NOW, lockMs: 1000, ttl: 60_000 })))
    expect(results.filter((r) => r.outcome === 'started')).toHaveLength(1)
    expect(results.filter((r) => r.outcome === 'in_flight')).toHaveLength(19)
  })
})
