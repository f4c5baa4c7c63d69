import { expect, it } from 'vitest'
import { github, gitlab, linear, paddle, razorpay, shopify, slack, standardWebhooks, stripe } from '../../providers/index.js'
import type { Provider, SignInput } from '../../src/provider.js'
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
  /** Where the signed time is: its own header, or `t=`/`ts=` inside the signature header. */
  timestampHeader?: string
  timestampPrefix?: 't=' | 'ts='
  /** The signature itself inside its header, to forge one of the same shape. */
  signaturePattern: RegExp
  /** GitLab sends a token, not a signature of the body: only its headers can be broken. */
  signsBody: boolean
  headers: Record<string, string>
  body: Uint8Array
}

const HEX = /[0-9a-f]{64}/
const BASE64 = /[A-Za-z0-9+/]{43}=/

it(`inbox.fetch() answers every one of ${MIN_CASES} to ${MAX_CASES} seeded mutated deliveries with 4xx: no handler call, no row, no crash`, async () => {
  const secret = 'fuzz-secret'
  const providers = {
    stripe: stripe({ secret, now: () => NOW }),
    github: github({ secret }),
    slack: slack({ secret, now: () => NOW }),
    razorpay: razorpay({ secret }),
    'standard-webhooks': standardWebhooks({ secret: 'whsec_ZnV6ei1zZWNyZXQ=', now: () => NOW }),
    shopify: shopify({ secret }),
    paddle: paddle({ secret, now: () => NOW }),
    linear: linear({ secret, now: () => NOW }),
    // A token of 64 hex characters, so the forging breaker below rewrites it too.
    gitlab: gitlab({ secret: 'f'.repeat(64) }),
  }
  const shapes: Record<keyof typeof providers, { input: SignInput } & Omit<Base, 'name' | 'provider' | 'headers' | 'body' | 'signsBody'> & { signsBody?: false }> = {
    stripe: { input: { body: JSON.stringify({ id: 'evt_fuzz', object: 'event', type: 'charge.succeeded', data: { object: {} } }) }, signatureHeader: 'stripe-signature', timestampPrefix: 't=', signaturePattern: HEX },
    github: { input: { body: JSON.stringify({ action: 'opened', issue: { number: 1 } }), id: 'gh-fuzz', type: 'issues' }, signatureHeader: 'x-hub-signature-256', signaturePattern: HEX },
    slack: { input: { body: JSON.stringify({ type: 'event_callback', event_id: 'EvFuzz', event: { type: 'app_mention' } }) }, signatureHeader: 'x-slack-signature', timestampHeader: 'x-slack-request-timestamp', signaturePattern: HEX },
    razorpay: { input: { body: JSON.stringify({ event: 'payment.captured', payload: {} }), id: 'rzp-fuzz' }, signatureHeader: 'x-razorpay-signature', signaturePattern: HEX },
    'standard-webhooks': { input: { body: JSON.stringify({ type: 'user.created', data: {} }), id: 'msg_fuzz' }, signatureHeader: 'webhook-signature', timestampHeader: 'webhook-timestamp', signaturePattern: BASE64 },
    shopify: { input: { body: JSON.stringify({ id: 1, name: '#1' }), id: 'shop-fuzz', type: 'orders/create' }, signatureHeader: 'x-shopify-hmac-sha256', signaturePattern: BASE64 },
    paddle: { input: { body: JSON.stringify({ event_id: 'evt_fuzz', event_type: 'transaction.completed', data: {} }) }, signatureHeader: 'paddle-signature', timestampPrefix: 'ts=', signaturePattern: HEX },
    linear: { input: { body: JSON.stringify({ type: 'Issue', action: 'create', data: {}, webhookTimestamp: NOW }), id: 'lin-fuzz' }, signatureHeader: 'linear-signature', signaturePattern: HEX },
    gitlab: { input: { body: JSON.stringify({ object_kind: 'push' }), id: 'gl-fuzz' }, signatureHeader: 'x-gitlab-token', signaturePattern: HEX, signsBody: false },
  }
  const bases: Base[] = []
  for (const name of Object.keys(providers) as (keyof typeof providers)[]) {
    const { input, signsBody = true, ...shape } = shapes[name]
    bases.push({ name, provider: providers[name], ...shape, signsBody, headers: await providers[name].sign(input), body: new TextEncoder().encode(input.body) })
  }

  const { store } = tempStore()
  const inbox = createInbox({ store, providers, now: () => NOW })
  let handlerCalls = 0
  inbox.onAny(() => void handlerCalls++)
  inbox.onError(() => {})

  type Breaker = (b: { headers: Headers; body: Uint8Array; base: Base }, r: () => number) => Uint8Array
  // Each breaks the delivery on its own; a case applies one to three of them.
  const bodyBreakers: Breaker[] = [
    ({ body }, r) => {
      const out = body.slice()
      const i = Math.floor(r() * out.length)
      out[i] = out[i]! ^ (1 << Math.floor(r() * 8))
      return out
    },
    // Shorter than the signed body, so a cut after an append cannot give the signed bytes back.
    ({ body, base }, r) => body.slice(0, Math.floor(r() * Math.min(body.length, base.body.length))),
    // Starts with a NUL, which no signed body holds, so an append after a cut cannot restore it either.
    ({ body }, r) => new Uint8Array([...body, 0, ...Array.from({ length: Math.floor(r() * 8) }, () => Math.floor(r() * 256))]),
  ]
  const headerBreakers: Breaker[] = [
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
      // A forged signature of the right shape: random hex, or random base64 of 32 bytes.
      const value = headers.get(base.signatureHeader) ?? ''
      const alphabet = base.signaturePattern === HEX ? '0123456789abcdef' : 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/'
      const length = base.signaturePattern === HEX ? 64 : 43
      const forged = Array.from({ length }, () => alphabet[Math.floor(r() * alphabet.length)]).join('') + (length === 43 ? '=' : '')
      headers.set(base.signatureHeader, value.replace(base.signaturePattern, forged))
      return body
    },
    ({ headers, body, base }, r) => {
      const shift = String(Math.floor(NOW / 1000) + (r() < 0.5 ? -1 : 1) * (301 + Math.floor(r() * 1e6)))
      const prefix = base.timestampPrefix
      if (base.timestampHeader) headers.set(base.timestampHeader, shift)
      else if (prefix) headers.set(base.signatureHeader, (headers.get(base.signatureHeader) ?? '').replace(new RegExp(`${prefix}\\d+`), `${prefix}${shift}`))
      // Linear's time is in the body; the others sign none.
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
    const breakers = base.signsBody ? [...bodyBreakers, ...headerBreakers] : headerBreakers
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
