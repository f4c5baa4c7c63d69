import { createExecutionContext, createScheduledController, env, SELF, waitOnExecutionContext } from 'cloudflare:test'
import { describe, expect, it } from 'vitest'
import { PROVIDER_NAMES } from '../../examples/provider-secrets.js'
import worker from '../../examples/worker.js'
import { github, stripe } from '../../providers/index.js'
import { createInbox } from '../../src/inbox.js'
import { DEVELOPMENT_SECRETS } from '../../src/testing/development-secrets.js'
import { fixture, fixtureNames, signedRequest } from '../../src/testing/index.js'
import { NOW, signedDelivery, waitFor } from '../helpers.js'
import { freshD1Store } from './d1.js'

const stripeSigner = stripe({ secret: env.STRIPE_WEBHOOK_SECRET })
const eventBody = (id: string) =>
  JSON.stringify({ id, object: 'event', type: 'payment_intent.succeeded', data: { object: { id: 'pi_w', object: 'payment_intent', amount: 5, currency: 'eur' } } })

async function rowOf(eventId: string) {
  return env.DB.prepare('select status, attempts from webhook_events where event_id = ?').bind(eventId).first()
}

describe('examples/worker.ts in workerd', () => {
  it('answers a signed Stripe event 202 queued, processes it in waitUntil, and answers the redelivery 200 duplicate', async () => {
    await freshD1Store()
    const delivery = await signedDelivery(stripeSigner, 'stripe', { body: eventBody('evt_worker_1') }, 'https://worker.test')
    const first = await SELF.fetch(delivery.clone())
    expect([first.status, first.headers.get('webhook-inbox-status')]).toEqual([202, 'queued'])
    const again = await SELF.fetch(delivery)
    expect([again.status, again.headers.get('webhook-inbox-status')]).toEqual([200, 'duplicate'])
    expect(await rowOf('evt_worker_1')).toEqual({ status: 'processed', attempts: 1 })
  })

  it('answers a signed sample of every built-in provider 202 queued and processes each', async () => {
    await freshD1Store()
    const answers = []
    for (const provider of PROVIDER_NAMES) {
      const sample = fixture(provider, fixtureNames(provider)[0] as never)
      const options = { secret: DEVELOPMENT_SECRETS[provider].value, id: `evt_${provider}`, url: `https://worker.test/webhooks/${provider}` }
      const response = await SELF.fetch(await signedRequest(provider, sample, options))
      answers.push({ provider, status: response.status, answer: response.headers.get('webhook-inbox-status') })
    }
    expect(answers).toEqual(PROVIDER_NAMES.map((provider) => ({ provider, status: 202, answer: 'queued' })))
    // The runs finish in waitUntil, after the answers.
    const processed = async () => (await Promise.all(PROVIDER_NAMES.map((provider) => rowOf(`evt_${provider}`)))).every((row) => row?.status === 'processed')
    await waitFor(processed, 5_000, 'every queued run to finish')
  })

  it('answers a Stripe event signed with another secret 401 and stores nothing', async () => {
    await freshD1Store()
    const forged = await signedDelivery(stripe({ secret: 'whsec_forged' }), 'stripe', { body: eventBody('evt_forged') }, 'https://worker.test')
    const response = await SELF.fetch(forged)
    expect(response.status).toBe(401)
    expect(await rowOf('evt_forged')).toBeNull()
  })

  it("runs the sweeper from its cron trigger (scheduled), finishing an event whose run died", async () => {
    const store = await freshD1Store()
    await store.claim(
      { provider: 'stripe', eventId: 'evt_cron', type: 'payment_intent.succeeded', body: eventBody('evt_cron'), headers: {} },
      { now: Date.now() - 120_000, leaseMs: 60_000 },
    )
    const ctx = createExecutionContext()
    await worker.scheduled(createScheduledController({ cron: '* * * * *' }), env, ctx)
    await waitOnExecutionContext(ctx)
    expect(await rowOf('evt_cron')).toEqual({ status: 'processed', attempts: 2 })
  })
})

describe('inbox.scheduled() on D1', () => {
  it('retries a handler that failed inline once its backoff has passed, and marks the event processed', async () => {
    const store = await freshD1Store()
    const clock = { now: NOW }
    const provider = github({ secret: 'gh-workers' })
    const inbox = createInbox({ store, providers: { github: provider }, now: () => clock.now })
    inbox.onError(() => {})
    let calls = 0
    inbox.onAny(() => {
      calls++
      if (calls === 1) throw new Error('downstream unavailable')
    })
    const body = JSON.stringify({ action: 'opened', issue: {} })
    const response = await inbox.fetch(await signedDelivery(provider, 'github', { body, id: 'gh-cron', type: 'issues' }))
    expect(response.status).toBe(500)
    clock.now += 3_600_000
    const ctx = createExecutionContext()
    await inbox.scheduled(createScheduledController({ cron: '* * * * *' }), env, ctx)
    await waitOnExecutionContext(ctx)
    expect(calls).toBe(2)
    expect(await rowOf('gh-cron')).toEqual({ status: 'processed', attempts: 2 })
  })

  it('ctx.transaction() over d1Store() rejects with transaction_unsupported: the event fails, nothing is written', async () => {
    const store = await freshD1Store()
    const provider = github({ secret: 'gh-workers' })
    const inbox = createInbox({ store, providers: { github: provider }, now: () => NOW, mode: 'inline' })
    const causes: unknown[] = []
    inbox.onError((error) => void causes.push(error.cause))
    let ran = false
    inbox.onAny((_event, ctx) => ctx.transaction(() => (ran = true)))
    const body = JSON.stringify({ action: 'opened', issue: {} })
    const response = await inbox.fetch(await signedDelivery(provider, 'github', { body, id: 'gh-d1-tx', type: 'issues' }))
    expect(response.status).toBe(500)
    expect(ran).toBe(false)
    expect(causes).toEqual([expect.objectContaining({ code: 'transaction_unsupported' })])
    expect(await rowOf('gh-d1-tx')).toEqual({ status: 'failed', attempts: 1 })
  })
})

describe("mode: 'deadline' in workerd", () => {
  it('inbox.fetch() answers 202 accepted at the deadline and finishes the run in ctx.waitUntil', async () => {
    const store = await freshD1Store()
    const provider = github({ secret: 'gh-workers', ackDeadlineMs: 50 })
    const inbox = createInbox({ store, providers: { github: provider } })
    let open!: () => void
    const slow = new Promise<void>((resolve) => (open = resolve))
    let finished = 0
    inbox.onAny(async () => {
      await slow
      finished++
    })
    const body = JSON.stringify({ action: 'opened', issue: { node_id: 'gh-deadline' } })
    const ctx = createExecutionContext()
    const response = await inbox.fetch(await signedDelivery(provider, 'github', { body, id: 'gh-deadline', type: 'issues' }), env, ctx)
    expect([response.status, response.headers.get('webhook-inbox-status')]).toEqual([202, 'accepted'])
    open()
    await waitOnExecutionContext(ctx)
    expect(finished).toBe(1)
    expect(await rowOf('gh-deadline')).toEqual({ status: 'processed', attempts: 1 })
  })
})
