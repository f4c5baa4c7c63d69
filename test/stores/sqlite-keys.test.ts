import { describe, expect, it } from 'vitest'
import { testKeys } from '../../src/testing/vitest.js'
import { NOW } from '../helpers.js'
import { tempStore } from '../node-helpers.js'

testKeys({ name: 'sqlite', create: () => tempStore().store.keys })

describe('sqliteStore().keys specifics', () => {
  it('store.keys.purge() deletes the parts of a purged key\'s large response, and keys.finish() stores them only for the run holding the key', async () => {
    const { store } = tempStore()
    const parts = () => (store.database.prepare('select count(*) as n from idempotency_key_parts').get() as { n: number }).n
    const request = { scope: '', key: 'big', fingerprint: 'f'.repeat(64), method: 'POST', path: '/reports' }
    const response = { status: 201, headers: {}, body: new Uint8Array(1_700_000).fill(7) }
    const begun = await store.keys.begin(request, { now: NOW, lockMs: 1000, ttl: 10_000 })
    if (begun.outcome !== 'started') throw new Error(`expected started, got ${begun.outcome}`)
    expect(await store.keys.finish(request, begun.token, response, { now: NOW, ttl: 10_000 })).toBe(true)
    expect(parts()).toBeGreaterThan(1)
    expect(await store.keys.finish(request, 'a-run-taken-over', response, { now: NOW, ttl: 10_000 })).toBe(false)
    expect(await store.keys.purge({ now: NOW + 10_000, limit: 10 })).toBe(1)
    expect(parts()).toBe(0)
  })
})
