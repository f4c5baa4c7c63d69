import type { EventStatus, NewEvent, OrderedStore, Store } from '../../src/store.js'

/** Signature header values seeded into the store: none may appear in any page. */
export const SIGNATURES = {
  stripe: 't=1767225600,v1=5eed5ec7e75eed5ec7e75eed5ec7e75eed5ec7e75eed5ec7e75eed5ec7e7aaaa',
  github: 'sha256=91fe5eed0000deadbeef91fe5eed0000deadbeef91fe5eed0000deadbeef0001',
}
export const XSS_ID = 'evt_"><img src=x onerror=alert(1)>'
export const XSS_TYPE = '<script>alert("type")</script>'
export const HANDLER_ERROR = "TypeError: Cannot read properties of undefined (reading 'id')"

const stripeEvent = (eventId: string, type = 'payment_intent.succeeded', extra: object = {}): NewEvent => ({
  provider: 'stripe',
  eventId,
  type,
  body: JSON.stringify({ id: eventId, object: 'event', type, data: { object: { id: `pi_${eventId}`, object: 'payment_intent', ...extra } } }),
  headers: { 'stripe-signature': SIGNATURES.stripe },
})

const githubEvent = (eventId: string): NewEvent => ({
  provider: 'github',
  eventId,
  type: 'issues',
  body: JSON.stringify({ action: 'opened', issue: { number: 7, title: 'Dashboard' }, repository: { full_name: 'acme/app' } }),
  headers: { 'x-github-event': 'issues', 'x-github-delivery': eventId, 'x-hub-signature-256': SIGNATURES.github },
})

/**
 * Rows in every status the dashboard shows, straight into the store (a verified
 * delivery would store the same): processed Stripe and GitHub events, one failed, one
 * dead, and one whose id, type and payload try to inject markup.
 */
export async function seedEvents(store: Store, now: number) {
  const lease = { now, leaseMs: 60_000 }
  const processed = ['evt_ok_1', 'evt_ok_2', 'evt_ok_3']
  for (const [i, id] of processed.entries()) {
    await store.claim(stripeEvent(id), { ...lease, now: now - 10 * 60_000 + i })
    await store.complete({ provider: 'stripe', eventId: id }, 1, now)
  }
  await store.claim(githubEvent('gh_delivery_1'), lease)
  await store.complete({ provider: 'github', eventId: 'gh_delivery_1' }, 1, now)
  await store.claim(stripeEvent('evt_failed'), lease)
  await store.fail({ provider: 'stripe', eventId: 'evt_failed' }, 1, { error: HANDLER_ERROR, nextAttemptAt: now + 3_600_000, now })
  await store.claim(stripeEvent('evt_dead', 'invoice.payment_failed'), lease)
  await store.fail({ provider: 'stripe', eventId: 'evt_dead' }, 1, { error: HANDLER_ERROR, nextAttemptAt: null, now })
  await store.claim(stripeEvent(XSS_ID, XSS_TYPE, { description: '<script>alert("payload")</script><img src=x onerror=alert(2)>' }), lease)
  await store.complete({ provider: 'stripe', eventId: XSS_ID }, 1, now)
}

/**
 * One Stripe event in each status (`evt_<status>`), received a minute apart within the
 * chart's hour, so every status has a count, a bar, a legend entry and a table row.
 */
export async function seedEveryStatus(store: OrderedStore, now: number) {
  const claim = async (status: EventStatus, minutesAgo: number, options: { queue?: boolean; entityKey?: string } = {}) => {
    const at = now - minutesAgo * 60_000
    const event = { ...stripeEvent(`evt_${status}`, 'customer.subscription.updated'), entityKey: options.entityKey ?? null, entityVersion: options.entityKey ? 1 : null }
    await store.claim(event, { now: at, leaseMs: 60_000, queue: options.queue ?? false })
    return { key: { provider: 'stripe', eventId: event.eventId }, at }
  }
  await claim('received', 1, { queue: true })
  await claim('processing', 2)
  const processed = await claim('processed', 3)
  await store.complete(processed.key, 1, processed.at)
  const failed = await claim('failed', 4)
  await store.fail(failed.key, 1, { error: HANDLER_ERROR, nextAttemptAt: now + 60_000, now: failed.at })
  const dead = await claim('dead', 5)
  await store.fail(dead.key, 1, { error: HANDLER_ERROR, nextAttemptAt: null, now: dead.at })
  // Settled stale while it holds its entity: what a run does with an event older than one already processed.
  const stale = await claim('stale', 6, { entityKey: 'sub_colours' })
  await store.hold(stale.key, 1, stale.at)
  await store.settle(stale.key, 1, 'stale', stale.at)
}
