import { Hono } from 'hono'
import { describe, expect, it } from 'vitest'
import { idempotency } from '../../src/idempotency/index.js'
import { tempStore } from '../node-helpers.js'

/** A seeded generator, so a failure reproduces. */
function random(seed: number) {
  let state = seed
  return (below: number) => {
    state = (state * 1103515245 + 12345) % 2 ** 31
    return Math.floor((state / 2 ** 31) * below)
  }
}

// Any byte a Headers value may hold (not NUL, CR or LF), weighted toward the characters a key parser trips on.
function fuzzKey(next: (below: number) => number): string {
  const special = ['"', '\\', ' ', '\t', 'é', '\x01', '\x7f', 'a', 'Z', '9', '-']
  const length = [0, 1, 8, 36, 254, 255, 256, 300][next(8)]!
  // Half the keys are printable ASCII only, so many get past the parser to the store.
  const printable = next(2) === 0
  let key = next(4) === 0 ? '"' : ''
  for (let i = 0; i < length; i++) {
    const code = printable ? 0x20 + next(95) : next(3) === 0 ? 1 + next(255) : -1
    key += code < 0 ? special[next(special.length)]! : code === 10 || code === 13 ? 'x' : String.fromCharCode(code)
  }
  return next(3) === 0 ? `${key}"` : key
}

describe('idempotency() under fuzzed keys and bodies', () => {
  it('answers 600 fuzzed requests only with 400, 409, 422 or the handler answer, never 5xx, and stores no row for a rejected one', async () => {
    const { store } = tempStore()
    const app = new Hono()
    app.post('/orders', idempotency({ store }), async (c) => c.json({ received: (await c.req.arrayBuffer()).byteLength }, 201))
    const rows = () => (store.database.prepare('select count(*) as n from idempotency_keys').get() as { n: number }).n
    const next = random(42)
    const usedKeys: string[] = []
    const statuses = new Set<number>()
    for (let i = 0; i < 600; i++) {
      // Every fourth request reuses an earlier key, with a body that may differ.
      const key = usedKeys.length > 0 && next(4) === 0 ? usedKeys[next(usedKeys.length)]! : fuzzKey(next)
      usedKeys.push(key)
      const body = new Uint8Array(next(3) === 0 ? next(5000) : next(3)).map(() => next(256))
      const before = rows()
      const response = await app.request(`/orders?n=${next(2)}`, { method: 'POST', body, headers: { 'idempotency-key': key } })
      statuses.add(response.status)
      expect([201, 400, 409, 422]).toContain(response.status)
      if (response.status !== 201) {
        expect(response.headers.get('content-type')).toBe('application/problem+json')
        expect(rows()).toBe(before)
      }
    }
    expect([...statuses].sort()).toEqual([201, 400, 422])
  })
})
