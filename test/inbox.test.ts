import { Hono } from 'hono'
import { describe, expect, it } from 'vitest'
import { github, razorpay, slack, stripe } from '../providers/index.js'
import { WebhookError } from '../src/errors.js'
import { createInbox } from '../src/inbox.js'
import { sqliteStore } from '../src/stores/sqlite/index.js'
import { NOW, signedDelivery, waitFor } from './helpers.js'
import { tempStore } from './node-helpers.js'

const SECRET = 'inbox-test-secret'
const providers = {
  stripe: stripe({ secret: SECRET, now: () => NOW }),
  github: github({ secret: SECRET }),
  slack: slack({ secret: SECRET, now: () => NOW }),
  razorpay: razorpay({ secret: SECRET }),
}

function setup(options: { leaseMs?: number; maxAttempts?: number } = {}) {
  const { store } = tempStore()
  let clock = NOW
  const inbox = createInbox({ store, providers, now: () => clock, ...options })
  const errors: WebhookError[] = []
  inbox.onError((error) => void errors.push(error))
  return { store, inbox, errors, advance: (ms: number) => (clock += ms) }
}

const stripeBody = (id: string, type = 'invoice.paid') => JSON.stringify({ id, object: 'event', type, data: { object: {} } })
const stripeDelivery = (id: string, url?: string) => signedDelivery(providers.stripe, 'stripe', { body: stripeBody(id) }, url)
const githubDelivery = (id: string) =>
  signedDelivery(providers.github, 'github', { body: JSON.stringify({ action: 'opened', issue: { node_id: id } }), id, type: 'issues' })

async function json(response: Response) {
  return (await response.json()) as { ok: boolean; status: string; code?: string; error?: string }
}

describe('inbox.fetch() answers', () => {
  it('inbox.fetch() answers 200 processed to a first delivery after its handler succeeds, and marks the row processed', async () => {
    const { inbox, store } = setup()
    const seen: string[] = []
    inbox.on('stripe', 'invoice.paid', (event) => void seen.push(`${event.id}:${event.type}:${event.attempt}`))
    const response = await inbox.fetch(await stripeDelivery('evt_1'))
    expect(response.status).toBe(200)
    expect(response.headers.get('webhook-inbox-status')).toBe('processed')
    expect(await json(response)).toEqual({ ok: true, status: 'processed' })
    expect(seen).toEqual(['evt_1:invoice.paid:1'])
    expect((await store.get({ provider: 'stripe', eventId: 'evt_1' }))?.status).toBe('processed')
  })

  it('inbox.fetch() answers 200 duplicate to a redelivery of a processed event without running handlers', async () => {
    const { inbox } = setup()
    let calls = 0
    inbox.onAny(() => void calls++)
    await inbox.fetch(await stripeDelivery('evt_2'))
    const response = await inbox.fetch(await stripeDelivery('evt_2'))
    expect(response.status).toBe(200)
    expect(await json(response)).toEqual({ ok: true, status: 'duplicate' })
    expect(response.headers.get('webhook-inbox-status')).toBe('duplicate')
    expect(calls).toBe(1)
  })

  it('inbox.fetch() answers 200 duplicate to a redelivery while the first is in flight', async () => {
    const { inbox } = setup()
    let release!: () => void
    const gate = new Promise<void>((resolve) => (release = resolve))
    let calls = 0
    inbox.onAny(async () => {
      calls++
      await gate
    })
    const first = inbox.fetch(await githubDelivery('gh-inflight'))
    await waitFor(() => calls === 1, 5_000, "the first delivery's handler to start")
    const second = await inbox.fetch(await githubDelivery('gh-inflight'))
    expect([second.status, second.headers.get('webhook-inbox-status')]).toEqual([200, 'duplicate'])
    release()
    expect((await first).status).toBe(200)
    expect(calls).toBe(1)
  })

  it('inbox.fetch() answers 500 handler_failed when a handler throws, and the redelivery re-runs it to 200', async () => {
    const { inbox, store, errors } = setup()
    let calls = 0
    let successes = 0
    inbox.on('github', 'issues', () => {
      calls++
      if (calls === 1) throw new Error('downstream down: card 4242 declined')
      successes++
    })
    const failed = await inbox.fetch(await githubDelivery('gh-retry'))
    expect(failed.status).toBe(500)
    const body = await json(failed)
    expect(body).toMatchObject({ ok: false, status: 'failed', code: 'handler_failed' })
    expect(body.error).not.toContain('4242')
    expect(failed.headers.get('webhook-inbox-status')).toBe('failed')
    const row = await store.get({ provider: 'github', eventId: 'gh-retry' })
    expect(row).toMatchObject({ status: 'failed', fence: 1, lastError: 'Error: downstream down: card 4242 declined' })
    expect(row?.nextAttemptAt).toBeGreaterThan(NOW)
    expect(errors.map((e) => e.code)).toEqual(['handler_failed'])

    const retried = await inbox.fetch(await githubDelivery('gh-retry'))
    expect(retried.status).toBe(200)
    expect(await store.get({ provider: 'github', eventId: 'gh-retry' })).toMatchObject({ status: 'processed', fence: 2 })
    expect([calls, successes]).toEqual([2, 1])
  })

  it('inbox.fetch() dead-letters an event after maxAttempts failed runs and answers later redeliveries 200 duplicate', async () => {
    const { inbox, store } = setup({ maxAttempts: 3 })
    let calls = 0
    inbox.onAny(() => {
      calls++
      throw new Error('always')
    })
    const statuses: number[] = []
    for (let i = 0; i < 4; i++) statuses.push((await inbox.fetch(await stripeDelivery('evt_dead'))).status)
    expect(statuses).toEqual([500, 500, 500, 200])
    expect(calls).toBe(3)
    expect(await store.get({ provider: 'stripe', eventId: 'evt_dead' })).toMatchObject({ status: 'dead', fence: 3, nextAttemptAt: null })
  })

  it('inbox.fetch() lets a redelivery take over an event whose lease ran out (the first run died)', async () => {
    const { inbox, store, advance } = setup({ leaseMs: 1000 })
    await store.claim(
      { provider: 'stripe', eventId: 'evt_orphan', type: 'invoice.paid', body: stripeBody('evt_orphan'), headers: {} },
      { now: NOW, leaseMs: 1000 },
    )
    let calls = 0
    inbox.onAny(() => void calls++)
    expect((await inbox.fetch(await stripeDelivery('evt_orphan'))).headers.get('webhook-inbox-status')).toBe('duplicate')
    advance(1000)
    const response = await inbox.fetch(await stripeDelivery('evt_orphan'))
    expect(response.headers.get('webhook-inbox-status')).toBe('processed')
    expect(calls).toBe(1)
  })

  it('inbox.fetch() sends no webhook-inbox-status header with a 4xx rejection', async () => {
    const { inbox } = setup()
    const response = await inbox.fetch(new Request('http://x/webhooks/stripe', { method: 'POST', body: '{}' }))
    expect([response.status, response.headers.get('webhook-inbox-status'), (await json(response)).status]).toEqual([400, null, 'rejected'])
  })

  it('inbox.fetch() ignores a plain value a Stripe handler returns, so a returned row never reaches the provider', async () => {
    const { inbox } = setup()
    inbox.onAny(() => ({ secretRow: 'card 4242' }))
    const response = await inbox.fetch(await stripeDelivery('evt_value'))
    expect(await json(response)).toEqual({ ok: true, status: 'processed' })
  })

  it('inbox.fetch() answers with a Response a GitHub handler returns explicitly', async () => {
    const { inbox } = setup()
    inbox.onAny(() => new Response('custom', { status: 202 }))
    const response = await inbox.fetch(await githubDelivery('gh-custom'))
    expect([response.status, await response.text(), response.headers.get('webhook-inbox-status')]).toEqual([202, 'custom', 'processed'])
  })

  it('inbox.fetch() answers 500 internal_error when a Slack handler returns a value JSON cannot encode, keeps the event processed and never runs it again', async () => {
    const { inbox, store } = setup()
    let runs = 0
    inbox.onAny(() => {
      runs++
      return { big: 1n }
    })
    const body = JSON.stringify({ type: 'event_callback', event_id: 'EvBig', event: { type: 'app_mention' } })
    const response = await inbox.fetch(await signedDelivery(providers.slack, 'slack', { body }))
    expect([response.status, (await json(response)).code]).toEqual([500, 'internal_error'])
    expect((await store.get({ provider: 'slack', eventId: 'EvBig' }))?.status).toBe('processed')
    const again = await inbox.fetch(await signedDelivery(providers.slack, 'slack', { body }))
    expect(again.headers.get('webhook-inbox-status')).toBe('duplicate')
    expect(runs).toBe(1)
  })

  it('inbox.fetch() answers 404 unknown_provider for a path whose last segment names no provider', async () => {
    const { inbox, store } = setup()
    const request = new Request('http://x/webhooks/paypal', { method: 'POST', body: '{}' })
    const response = await inbox.fetch(request)
    const answer = await json(response)
    expect([response.status, answer.code]).toEqual([404, 'unknown_provider'])
    // Configured instance names are nobody else's business.
    for (const name of Object.keys(providers)) expect(answer.error).not.toContain(name)
    expect(await store.list()).toEqual([])
  })

  it('inbox.fetch() answers 405 method_not_allowed with Allow: POST to a GET', async () => {
    const { inbox } = setup()
    const response = await inbox.fetch(new Request('http://x/webhooks/stripe'))
    expect([response.status, (await json(response)).code, response.headers.get('allow')]).toEqual([405, 'method_not_allowed', 'POST'])
  })

  it('inbox.fetch() answers 413 body_too_large to a declared Content-Length over the provider limit', async () => {
    const { store } = setup()
    const small = stripe({ secret: SECRET, now: () => NOW, maxBodyBytes: 100 })
    const inbox = createInbox({ store, providers: { stripe: small } })
    inbox.onError(() => {})
    const signed = await signedDelivery(small, 'stripe', { body: stripeBody(`evt_${'x'.repeat(200)}`) })
    const headers = new Headers(signed.headers)
    headers.set('content-length', '250')
    const request = new Request(signed.url, { method: 'POST', headers, body: 'x'.repeat(250) })
    const response = await inbox.fetch(request)
    expect([response.status, (await json(response)).code, request.bodyUsed]).toEqual([413, 'body_too_large', false])
    expect(await store.list()).toEqual([])
  })

  it('inbox.fetch() answers 413 body_too_large to a streamed body that passes the limit mid-stream', async () => {
    const { store } = setup()
    const small = stripe({ secret: SECRET, now: () => NOW, maxBodyBytes: 1024 })
    const inbox = createInbox({ store, providers: { stripe: small } })
    inbox.onError(() => {})
    let pulled = 0
    const stream = new ReadableStream<Uint8Array>({
      pull(controller) {
        pulled++
        if (pulled > 1000) controller.close()
        else controller.enqueue(new Uint8Array(512).fill(0x20))
      },
    })
    const request = new Request('http://x/stripe', { method: 'POST', body: stream, duplex: 'half' } as RequestInit)
    const response = await inbox.fetch(request)
    expect([response.status, (await json(response)).code]).toEqual([413, 'body_too_large'])
    expect(pulled).toBeLessThan(10)
  })

  it('inbox.fetch() answers 503 store_unavailable when the store fails, having run no handler', async () => {
    const broken = sqliteStore({ path: ':memory:' })
    await broken.close()
    const inbox = createInbox({ store: broken, providers })
    const errors: string[] = []
    inbox.onError((e) => void errors.push(e.code))
    let calls = 0
    inbox.onAny(() => void calls++)
    const response = await inbox.fetch(await stripeDelivery('evt_503'))
    expect([response.status, (await json(response)).code]).toEqual([503, 'store_unavailable'])
    expect(calls).toBe(0)
    expect(errors).toEqual(['store_unavailable'])
  })

  it('inbox.fetch() reaches the stripe instance from /stripe, /webhooks/stripe and /api/hooks/stripe/', async () => {
    const { inbox } = setup()
    const statuses = []
    for (const [i, path] of ['/stripe', '/webhooks/stripe', '/api/hooks/stripe/'].entries()) {
      const signed = await stripeDelivery(`evt_path_${i}`)
      statuses.push((await inbox.fetch(new Request(`http://x${path}`, signed))).status)
    }
    expect(statuses).toEqual([200, 200, 200])
  })

  it('inbox.fetch() takes the provider from the path only, never the host or the query', async () => {
    const { inbox } = setup()
    inbox.onError(() => {})
    const signed = await stripeDelivery('evt_host')
    const hostOnly = await inbox.fetch(new Request('http://stripe/', signed))
    const query = await inbox.fetch(new Request('http://x/webhooks/?to=/stripe', await stripeDelivery('evt_query')))
    expect([hostOnly.status, query.status]).toEqual([404, 404])
    expect((await inbox.fetch(new Request('http://x/webhooks/stripe?attempt=2#frag', await stripeDelivery('evt_q2')))).status).toBe(200)
  })
})

describe('inbox handlers', () => {
  it('inbox.on() handlers for an event run in registration order, including onAny and the event-name prefix', async () => {
    const { inbox } = setup()
    const order: string[] = []
    inbox.on('github', 'issues.opened', () => void order.push('exact'))
    inbox.onAny(() => void order.push('any'))
    inbox.on('github', 'issues', () => void order.push('prefix'))
    inbox.on('github', 'issues.closed', () => void order.push('other action'))
    inbox.on('github', 'push', () => void order.push('other event'))
    await inbox.fetch(await githubDelivery('gh-order'))
    expect(order).toEqual(['exact', 'any', 'prefix'])
  })

  it('inbox.fetch() marks an event failed when its second handler throws after the first succeeded', async () => {
    const { inbox, store } = setup()
    inbox.onAny(() => {})
    inbox.onAny(() => {
      throw new Error('second')
    })
    expect((await inbox.fetch(await githubDelivery('gh-two'))).status).toBe(500)
    expect((await store.get({ provider: 'github', eventId: 'gh-two' }))?.status).toBe('failed')
  })

  it('inbox.fetch() processes an event with no handlers and stores it', async () => {
    const { inbox, store } = setup()
    expect((await inbox.fetch(await githubDelivery('gh-none'))).status).toBe(200)
    expect((await store.get({ provider: 'github', eventId: 'gh-none' }))?.status).toBe('processed')
  })

  it('inbox.on() throws a TypeError naming the configured providers for an unknown one, and points "*" to onAny', () => {
    const { inbox } = setup()
    // @ts-expect-error: "paypal" is not a configured provider
    expect(() => inbox.on('paypal', 'x', () => {})).toThrow(/configured: stripe, github, slack, razorpay/)
    // @ts-expect-error: "*" is not a Stripe event type
    expect(() => inbox.on('stripe', '*', () => {})).toThrow(/onAny/)
  })

  it('inbox.on() hands handlers payloads typed by the provider packages, and rejects misspelt event names at compile time', async () => {
    const { inbox } = setup()
    const amounts: number[] = []
    inbox.on('stripe', 'payment_intent.succeeded', (event) => {
      amounts.push(event.payload.data.object.amount)
    })
    inbox.on('github', 'issues.opened', (event) => {
      const title: string = event.payload.issue.title
      return title
    })
    // @ts-expect-error: not a Stripe event type
    inbox.on('stripe', 'payment_intent.succeded', () => {})
    // @ts-expect-error: not a GitHub event name
    inbox.on('github', 'issue.opened', () => {})
    const body = JSON.stringify({ id: 'evt_typed', object: 'event', type: 'payment_intent.succeeded', data: { object: { amount: 1234 } } })
    await inbox.fetch(await signedDelivery(providers.stripe, 'stripe', { body }))
    expect(amounts).toEqual([1234])
  })

  it('inbox.routes() serves POST /:provider when mounted under /webhooks in a Hono app', async () => {
    const { inbox } = setup()
    const app = new Hono()
    app.route('/webhooks', inbox.routes())
    const signed = await stripeDelivery('evt_hono')
    const response = await app.request('/webhooks/stripe', signed)
    expect(response.status).toBe(200)
    expect((await app.request('/webhooks/stripe', { method: 'PUT' })).status).toBe(405)
  })
})

describe('inbox under concurrency', () => {
  it('inbox.fetch() runs the handler once for 50 concurrent identical deliveries, answers the other 49 duplicate while it runs, and every one 2xx', async () => {
    const { inbox } = setup()
    let release!: () => void
    const gate = new Promise<void>((resolve) => (release = resolve))
    let calls = 0
    inbox.onAny(async () => {
      calls++
      await gate
    })
    const request = await githubDelivery('gh-burst')
    const body = await request.text()
    const pending = Array.from({ length: 50 }, () => inbox.fetch(new Request(request.url, { method: 'POST', headers: request.headers, body })))
    let answered = 0
    for (const response of pending) void response.then(() => answered++)
    await waitFor(() => calls === 1 && answered === 49, 5_000, 'the other 49 deliveries to be answered while the handler runs')
    release()
    const responses = await Promise.all(pending)
    expect(responses.map((r) => r.status).every((s) => s >= 200 && s < 300)).toBe(true)
    expect(responses.filter((r) => r.headers.get('webhook-inbox-status') === 'processed')).toHaveLength(1)
    expect(responses.filter((r) => r.headers.get('webhook-inbox-status') === 'duplicate')).toHaveLength(49)
    expect(calls).toBe(1)
  })
})

it('WebhookError derives its status from its code', () => {
  expect(new WebhookError('timestamp_too_old', 'x')).toMatchObject({ status: 401, message: '[webhook-inbox] x' })
})
