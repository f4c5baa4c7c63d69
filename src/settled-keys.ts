import type { EventKey, OrderedStore, Store, StoredEvent } from './store.js'

/**
 * Events this process saw settle (processed, stale or dead), newest last, at most `max`, each
 * with the digest of its signed bytes. Neither state is claimable, so a redelivery of one
 * — its id and its bytes — is a duplicate whatever the store would say: the answer needs
 * no store call at all. The bytes count too: where the id travels outside the signature,
 * a settled event's id may arrive with another, failed event's bytes, and the bytes name
 * the event first (that one must run), so only the store can answer it.
 *
 * Only this process's own writes fill it and only its own requeue/purge calls empty it.
 * An event that another process (the CLI) replays or revives meanwhile is answered
 * `duplicate` here; it still runs, from the store, when the sweeper takes it.
 */
export interface SettledKeys {
  has(key: EventKey, digest: string): boolean
  /** The store whose claim/take/complete/fail/requeue/purge keep this in step; give it to the inbox. */
  store: Store & Partial<OrderedStore>
}

const keyOf = (key: EventKey) => `${key.provider}\u0000${key.eventId}`

/** A Map kept in insertion order and cut to its newest `max` entries. */
function bounded(max: number) {
  const map = new Map<string, string | null>()
  return {
    map,
    set(k: string, digest: string | null) {
      map.delete(k)
      map.set(k, digest)
      // A Map iterates in insertion order: the first is the oldest.
      if (map.size > max) map.delete(map.keys().next().value!)
    },
  }
}

export function rememberSettled(inner: Store & Partial<OrderedStore>, max = 10_000): SettledKeys {
  const settled = bounded(max)
  // The digest of each event this process holds a lease on, from its claim or take, for when it settles.
  const held = bounded(max)
  const hold = (event: StoredEvent) => held.set(keyOf(event), event.digest)
  const settle = (key: EventKey) => {
    const k = keyOf(key)
    const digest = held.map.get(k)
    held.map.delete(k)
    if (digest !== undefined) settled.set(k, digest)
  }
  const has = (key: EventKey, digest: string) => settled.map.get(keyOf(key)) === digest
  const settleOrdered = inner.settle
  const store: Store & Partial<OrderedStore> = {
    ...inner,
    ...(settleOrdered && {
      async settle(key: EventKey, fence: number, status: 'processed' | 'stale', now: number) {
        const done = await settleOrdered(key, fence, status, now)
        if (done) settle(key)
        return done
      },
    }),
    async claim(event, options) {
      if (event.digest != null && has(event, event.digest)) return { outcome: 'duplicate' }
      const claim = await inner.claim(event, options)
      if (claim.outcome !== 'duplicate') hold(claim.event)
      return claim
    },
    async take(key, options) {
      const event = await inner.take(key, options)
      if (event !== undefined) hold(event)
      return event
    },
    async takeDue(options) {
      const events = await inner.takeDue(options)
      events.forEach(hold)
      return events
    },
    async complete(key, fence, now) {
      const done = await inner.complete(key, fence, now)
      if (done) settle(key)
      return done
    },
    async fail(key, fence, failure) {
      const recorded = await inner.fail(key, fence, failure)
      if (recorded && failure.nextAttemptAt === null) settle(key)
      return recorded
    },
    requeue(key, options) {
      settled.map.delete(keyOf(key))
      return inner.requeue(key, options)
    },
    requeueAll(status, now) {
      settled.map.clear()
      return inner.requeueAll(status, now)
    },
    purge(options) {
      settled.map.clear()
      return inner.purge(options)
    },
  }
  return { has, store }
}
