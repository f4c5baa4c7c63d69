import { describe, expect, it } from 'vitest'
import type { IdempotencyKeys, KeyRequest, StoredResponse } from '../store.js'
import { NOW } from './now.js'

/** How the idempotency keys conformance suite drives one implementation of `IdempotencyKeys`. */
export interface KeysCase {
  /** Names the suite's `describe` block. */
  name: string
  /** Fresh, empty keys for one test. */
  create(): IdempotencyKeys | Promise<IdempotencyKeys>
}

const LOCK = 60_000
const TTL = 86_400_000

function request(key: string, fingerprint = 'f'.repeat(64), scope = ''): KeyRequest {
  return { scope, key, fingerprint, method: 'POST', path: '/orders?currency=eur' }
}

// Bytes that are not UTF-8, so a driver that stored the body as text would change them.
const RESPONSE: StoredResponse = {
  status: 201,
  headers: { 'content-type': 'application/octet-stream', location: '/orders/1' },
  body: new Uint8Array([0, 255, 128, 10, 0xc3, 0x28]),
}

// 1.7 MB: over what one D1 value holds once base64-encoded.
const BIG = Uint8Array.from({ length: 1_700_000 }, (_, i) => (i * 7919) % 256)
// A loop, not toEqual: a deep compare of 1.7 million elements takes a minute.
const sameBytes = (a: Uint8Array, b: Uint8Array) => a.length === b.length && a.every((byte, i) => byte === b[i])

async function started(keys: IdempotencyKeys, req: KeyRequest, now = NOW): Promise<string> {
  const result = await keys.begin(req, { now, lockMs: LOCK, ttl: TTL })
  if (result.outcome !== 'started') throw new Error(`expected started, got ${result.outcome}`)
  return result.token
}

/**
 * What every store's idempotency keys must do (`store.keys`), as vitest cases: one
 * request gets a key, replays, mismatches, locks that run out, TTLs, purge and large
 * answers. Each case arranges its own rows and drives time by argument.
 *
 * @example
 * import { testKeys } from 'webhook-inbox/testing/vitest'
 * testKeys({ name: 'my store', create: () => myStore({ url: process.env.TEST_DB_URL }).keys })
 */
export function testKeys(c: KeysCase): void {
  describe(`${c.name} idempotency keys conformance`, () => {
    it('keys.begin() starts a new key as running, kept for the request until now + ttl', async () => {
      const keys = await c.create()
      await started(keys, request('k1'))
      expect(await keys.get({ scope: '', key: 'k1' })).toMatchObject({ status: 'running', expiresAt: NOW + TTL, response: null, method: 'POST', path: '/orders?currency=eur' })
    })

    it('keys.begin() returns in_flight for the same request while the first holds the key', async () => {
      const keys = await c.create()
      await started(keys, request('k2'))
      expect(await keys.begin(request('k2'), { now: NOW + LOCK - 1, lockMs: LOCK, ttl: TTL })).toEqual({ outcome: 'in_flight' })
    })

    it('keys.begin() returns mismatch for another fingerprint, whether the key is running or completed', async () => {
      const keys = await c.create()
      const token = await started(keys, request('k3'))
      expect(await keys.begin(request('k3', 'a'.repeat(64)), { now: NOW, lockMs: LOCK, ttl: TTL })).toEqual({ outcome: 'mismatch' })
      await keys.finish({ scope: '', key: 'k3' }, token, RESPONSE, { now: NOW, ttl: TTL })
      expect(await keys.begin(request('k3', 'a'.repeat(64)), { now: NOW + 1, lockMs: LOCK, ttl: TTL })).toEqual({ outcome: 'mismatch' })
    })

    it('keys.finish() stores the response, and keys.begin() then replays it byte for byte until the TTL ends', async () => {
      const keys = await c.create()
      const token = await started(keys, request('k4'))
      expect(await keys.finish({ scope: '', key: 'k4' }, token, RESPONSE, { now: NOW + 5, ttl: TTL })).toBe(true)
      const replay = await keys.begin(request('k4'), { now: NOW + TTL, lockMs: LOCK, ttl: TTL })
      expect(replay).toEqual({ outcome: 'replay', response: { ...RESPONSE, body: expect.any(Uint8Array) } })
      expect([...(replay as { response: StoredResponse }).response.body]).toEqual([...RESPONSE.body])
      expect(await keys.get({ scope: '', key: 'k4' })).toMatchObject({ status: 'completed', expiresAt: NOW + 5 + TTL, responseStatus: 201 })
    })

    it('keys.begin() after the TTL runs the key as new and forgets the old response', async () => {
      const keys = await c.create()
      const token = await started(keys, request('k5'))
      await keys.finish({ scope: '', key: 'k5' }, token, RESPONSE, { now: NOW, ttl: TTL })
      await started(keys, request('k5', 'b'.repeat(64)), NOW + TTL)
      expect(await keys.get({ scope: '', key: 'k5' })).toMatchObject({ status: 'running', fingerprint: 'b'.repeat(64), responseStatus: null, response: null })
    })

    it('keys.begin() takes over a key whose lock ran out, and the run it replaced can no longer finish or release it', async () => {
      const keys = await c.create()
      const dead = await started(keys, request('k6'))
      const next = await started(keys, request('k6'), NOW + LOCK)
      expect(next).not.toBe(dead)
      expect(await keys.finish({ scope: '', key: 'k6' }, dead, RESPONSE, { now: NOW + LOCK, ttl: TTL })).toBe(false)
      expect(await keys.release({ scope: '', key: 'k6' }, dead)).toBe(false)
      expect(await keys.finish({ scope: '', key: 'k6' }, next, RESPONSE, { now: NOW + LOCK, ttl: TTL })).toBe(true)
    })

    it('keys.begin() returns mismatch for another request after the lock ran out, until the TTL ends, and a purge keeps that key', async () => {
      const keys = await c.create()
      await started(keys, request('k11'))
      expect(await keys.begin(request('k11', 'c'.repeat(64)), { now: NOW + LOCK, lockMs: LOCK, ttl: TTL })).toEqual({ outcome: 'mismatch' })
      expect(await keys.purge({ now: NOW + TTL - 1, limit: 10 })).toBe(0)
      expect(await keys.begin(request('k11', 'c'.repeat(64)), { now: NOW + TTL - 1, lockMs: LOCK, ttl: TTL })).toEqual({ outcome: 'mismatch' })
      expect((await keys.get({ scope: '', key: 'k11' }))?.fingerprint).toBe('f'.repeat(64))
      await started(keys, request('k11', 'c'.repeat(64)), NOW + TTL)
    })

    it('keys.finish() stores a 1.7 MB response and keys.begin() replays it byte for byte; a response stored after its TTL reads back alone', async () => {
      const keys = await c.create()
      const id = { scope: '', key: 'k12' }
      const token = await started(keys, request('k12'))
      expect(await keys.finish(id, token, { ...RESPONSE, body: BIG }, { now: NOW, ttl: TTL })).toBe(true)
      const replay = await keys.begin(request('k12'), { now: NOW + 1, lockMs: LOCK, ttl: TTL })
      expect(replay.outcome === 'replay' && sameBytes(replay.response.body, BIG)).toBe(true)
      const next = await started(keys, request('k12', 'd'.repeat(64)), NOW + TTL)
      await keys.finish(id, next, RESPONSE, { now: NOW + TTL, ttl: TTL })
      expect([...((await keys.get(id))?.response?.body ?? [])]).toEqual([...RESPONSE.body])
    })

    it('keys.release() forgets a running key so the next begin() starts it, and refuses a token that does not hold it', async () => {
      const keys = await c.create()
      const token = await started(keys, request('k7'))
      expect(await keys.release({ scope: '', key: 'k7' }, 'not-the-token')).toBe(false)
      expect(await keys.release({ scope: '', key: 'k7' }, token)).toBe(true)
      expect(await keys.get({ scope: '', key: 'k7' })).toBeUndefined()
      await started(keys, request('k7'), NOW + 1)
    })

    it('keys.release() refuses a completed key: a stored response is kept', async () => {
      const keys = await c.create()
      const token = await started(keys, request('k8'))
      await keys.finish({ scope: '', key: 'k8' }, token, RESPONSE, { now: NOW, ttl: TTL })
      expect(await keys.release({ scope: '', key: 'k8' }, token)).toBe(false)
      expect((await keys.get({ scope: '', key: 'k8' }))?.status).toBe('completed')
    })

    it('keys.begin() treats the same key in another scope as another key', async () => {
      const keys = await c.create()
      await started(keys, request('k9', undefined, 'acct_1'))
      await started(keys, request('k9', undefined, 'acct_2'))
      expect(await keys.list()).toHaveLength(2)
    })

    it('keys.begin() starts exactly one of 25 concurrent begins of one key; the rest are in_flight', async () => {
      const keys = await c.create()
      const results = await Promise.all(Array.from({ length: 25 }, () => keys.begin(request('k10'), { now: NOW, lockMs: LOCK, ttl: TTL })))
      expect(results.filter((r) => r.outcome === 'started')).toHaveLength(1)
      expect(results.filter((r) => r.outcome === 'in_flight')).toHaveLength(24)
    })

    it('keys.purge() deletes at most `limit` expired keys and keeps live locks and unexpired responses', async () => {
      const keys = await c.create()
      for (const key of ['old-1', 'old-2', 'old-3']) await started(keys, request(key))
      const kept = await started(keys, request('kept'))
      await keys.finish({ scope: '', key: 'kept' }, kept, RESPONSE, { now: NOW + 1, ttl: TTL })
      await started(keys, request('live'), NOW + LOCK)
      expect(await keys.purge({ now: NOW + TTL, limit: 2 })).toBe(2)
      expect(await keys.purge({ now: NOW + TTL, limit: 2 })).toBe(1)
      expect((await keys.list()).map((key) => key.key).sort()).toEqual(['kept', 'live'])
    })

    it('keys.purge() looping beside six lanes taking over expired keys never deletes a taken key, so no key starts twice', async () => {
      const keys = await c.create()
      const later = NOW + TTL
      const starts = new Map<string, number>()
      const deadline = Date.now() + 5000
      for (let round = 0; round < 8 && Date.now() < deadline; round++) {
        const names = Array.from({ length: 25 }, (_, i) => `race-${round}-${i}`)
        for (const name of names) await started(keys, request(name))
        let lanesDone = false
        const purging = (async () => {
          for (let purges = 0; !lanesDone && purges < 10_000; purges++) await keys.purge({ now: later, limit: 100 })
        })()
        await Promise.all(
          Array.from({ length: 6 }, async () => {
            for (const name of names) {
              const result = await keys.begin(request(name), { now: later, lockMs: LOCK, ttl: TTL })
              if (result.outcome === 'started') starts.set(name, (starts.get(name) ?? 0) + 1)
            }
          }),
        )
        lanesDone = true
        await purging
      }
      expect([...starts.values()].filter((count) => count > 1)).toEqual([])
      expect(starts.size).toBeGreaterThan(0)
    })

    it('keys.list() returns summaries newest first, filtered by status', async () => {
      const keys = await c.create()
      const token = await started(keys, request('first'))
      await keys.finish({ scope: '', key: 'first' }, token, RESPONSE, { now: NOW, ttl: TTL })
      await started(keys, request('second'), NOW + 1)
      const all = await keys.list()
      expect(all.map((key) => key.key)).toEqual(['second', 'first'])
      expect(all[0]).not.toHaveProperty('response')
      expect((await keys.list({ status: 'completed' })).map((key) => key.key)).toEqual(['first'])
    })

    it('keys.list({ key }) returns that key in every scope that holds it, and no other key', async () => {
      const keys = await c.create()
      await started(keys, request('shared', undefined, 'acct_1'))
      await started(keys, request('shared', undefined, 'acct_2'), NOW + 1)
      await started(keys, request('other', undefined, 'acct_1'), NOW + 2)
      expect((await keys.list({ key: 'shared' })).map(({ scope, key }) => [scope, key])).toEqual([
        ['acct_2', 'shared'],
        ['acct_1', 'shared'],
      ])
      expect(await keys.list({ key: 'missing' })).toEqual([])
    })
  })
}
