import { expect, it } from 'vitest'
import { github, razorpay, slack, stripe } from '../../providers/index.js'
import type { Provider, SignInput } from '../../providers/types.js'
import { createInbox } from '../../src/inbox.js'
import { NOW } from '../helpers.js'
import { tempStore } from '../node-helpers.js'

// Every case sent is checked. MIN_CASES always run (the seeded first cases already hit
// 400, 401 and 413); more run, up to MAX_CASES, while TIME_CAP_MS lasts. The cap only
// bounds the work on a slow machine; it never fails the test.
const MIN_CASES = 1_000
const MAX_CASES = 10_000
const TIME_CAP_MS = 60_000

/** mulberry32: a seeded PRNG, so a failure names a case that can be replayed. */
function prng(seed: number) {
  return () => {
    seed = (seed + 0x6d2b79f5) | 0
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed)
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296
  }
}

interface Base {
  name: string
  provider: Provider
  signatureHeader: string
  timestampHeader?: string
  headers: Record<string, string>
  body: Uint8Array
}

it(`inbox.fetch() answers every one of ${MIN_CASES} to ${MAX_CASES} seeded mutated deliveries with 4xx: no handler call, no row, no crash`, async () => {
  const secret = 'fuzz-secret'
  const providers = {
    stripe: stripe({ secret, now: () => NOW }),
    github: github({ secret }),
    slack: slack({ secret, now: () => NOW }),
    razorpay: razorpay({ secret }),
  }
  const inputs: Record<keyof typeof providers, SignInput> = {
    stripe: { body: JSON.stringify({ id: 'evt_fuzz', object: 'event', type: 'charge.succeeded', data: { object: {} } }) },
    github: { body: JSON.stringify({ action: 'opened', issue: { number: 1 } }), id: 'gh-fuzz', type: 'issues' },
    slack: { body: JSON.stringify({ type: 'event_callback', event_id: 'EvFuzz', event: { type: 'app_mention' } }) },
    razorpay: { body: JSON.stringify({ event: 'payment.captured', payload: {} }), id: 'rzp-fuzz' },
  }
  const signatureHeaders = { stripe: 'stripe-signature', github: 'x-hub-signature-256', slack: 'x-slack-signature', razorpay: 'x-razorpay-signature' }
  const bases: Base[] = []
  for (const name of Object.keys(providers) as (keyof typeof providers)[]) {
    bases.push({
      name,
      provider: providers[name],
      signatureHeader: signatureHeaders[name],
      ...(name === 'slack' ? { timestampHeader: 'x-slack-request-timestamp' } : {}),
      headers: await providers[name].sign(inputs[name]),
      body: new TextEncoder().encode(inputs[name].body),
    })
  }

  const { store } = tempStore()
  const inbox = createInbox({ store, providers, now: () => NOW })
  let handlerCalls = 0
  inbox.onAny(() => void handlerCalls++)
  inbox.onError(() => {})

  // Each breaks the delivery on its own; a case applies one to three of them.
  const breakers: ((b: { headers: Headers; body: Uint8Array; base: Base }, r: () => number) => Uint8Array)[] = [
    ({ body }, r) => {
      const out = body.slice()
      const i = Math.floor(r() * out.length)
      out[i] = out[i]! ^ (1 << Math.floor(r() * 8))
      return out
    },
    ({ body }, r) => body.slice(0, Math.floor(r() * body.length)),
    ({ body }, r) => new Uint8Array([...body, ...Array.from({ length: 1 + Math.floor(r() * 8) }, () => Math.floor(r() * 256))]),
    ({ headers, body, base }) => {
      headers.delete(base.signatureHeader)
      return body
    },
    ({ headers, body, base }, r) => {
      const garbage = Array.from({ length: Math.floor(r() * 80) }, () => String.fromCharCode(32 + Math.floor(r() * 95))).join('')
      headers.set(base.signatureHeader, garbage)
      return body
    },
    ({ headers, body, base }, r) => {
      const value = headers.get(base.signatureHeader) ?? ''
      const hex = Array.from({ length: 64 }, () => '0123456789abcdef'[Math.floor(r() * 16)]).join('')
      headers.set(base.signatureHeader, value.replace(/[0-9a-f]{64}/, hex))
      return body
    },
    ({ headers, body, base }, r) => {
      const shift = String(Math.floor(NOW / 1000) + (r() < 0.5 ? -1 : 1) * (301 + Math.floor(r() * 1e6)))
      if (base.timestampHeader) headers.set(base.timestampHeader, shift)
      else if (base.name === 'stripe') headers.set('stripe-signature', (headers.get('stripe-signature') ?? '').replace(/t=\d+/, `t=${shift}`))
      else headers.delete(base.signatureHeader)
      return body
    },
    ({ headers, body, base }) => {
      headers.set('content-length', String(base.provider.maxBodyBytes + 1))
      return body
    },
  ]
  const contentTypes = [undefined, 'text/plain', 'application/x-www-form-urlencoded', 'application/json', 'multipart/form-data; boundary=x']

  const random = prng(20261125)
  const statuses = new Map<number, number>()
  const started = Date.now()
  let sent = 0
  for (; sent < MAX_CASES && (sent < MIN_CASES || Date.now() - started < TIME_CAP_MS); sent++) {
    const base = bases[Math.floor(random() * bases.length)]!
    const headers = new Headers(base.headers)
    let body = base.body
    const picks = 1 + Math.floor(random() * 3)
    for (let p = 0; p < picks; p++) body = breakers[Math.floor(random() * breakers.length)]!({ headers, body, base }, random)
    const contentType = contentTypes[Math.floor(random() * contentTypes.length)]
    if (contentType === undefined) headers.delete('content-type')
    else headers.set('content-type', contentType)
    const response = await inbox.fetch(new Request(`http://fuzz.test/webhooks/${base.name}`, { method: 'POST', headers, body }))
    statuses.set(response.status, (statuses.get(response.status) ?? 0) + 1)
    if (response.status < 400 || response.status > 499) {
      throw new Error(`case ${sent} (${base.name}) answered ${response.status}: ${await response.text()}`)
    }
  }
  expect(sent).toBeGreaterThanOrEqual(MIN_CASES)
  expect(handlerCalls).toBe(0)
  expect(await store.list()).toEqual([])
  expect([...statuses.keys()].sort()).toEqual([400, 401, 413])
}, 300_000)
