import { env } from 'cloudflare:test'
import { expect, it } from 'vitest'
import { withIdempotency } from '../../src/idempotency/index.js'
import { d1Store } from '../../src/stores/d1/index.js'
import { testKeys } from '../../src/testing/vitest.js'

// The keys suite the Node tests run over SQLite, here over a real D1 in workerd.
testKeys({
  name: 'd1',
  create: async () => {
    await env.DB.exec('DELETE FROM idempotency_keys')
    return d1Store(env.DB).keys
  },
})

it('withIdempotency() over D1 replays a 1.7 MB answer byte for byte and runs the handler once', async () => {
  await env.DB.exec('DELETE FROM idempotency_keys; DELETE FROM idempotency_key_parts')
  const big = Uint8Array.from({ length: 1_700_000 }, (_, i) => (i * 7919) % 256)
  let runs = 0
  const handler = withIdempotency({ store: d1Store(env.DB) })(async () => {
    runs++
    return new Response(big, { status: 201, headers: { 'content-type': 'application/octet-stream' } })
  })
  const post = () => handler(new Request('https://api.test/reports', { method: 'POST', body: '{}', headers: { 'idempotency-key': 'd1-big' } }))
  const sameAsBig = (bytes: Uint8Array) => bytes.length === big.length && bytes.every((byte, i) => byte === big[i])
  expect(sameAsBig(new Uint8Array(await (await post()).arrayBuffer()))).toBe(true)
  const replay = await post()
  expect([replay.status, replay.headers.get('idempotent-replayed')]).toEqual([201, 'true'])
  expect(sameAsBig(new Uint8Array(await replay.arrayBuffer()))).toBe(true)
  expect(runs).toBe(1)
})
