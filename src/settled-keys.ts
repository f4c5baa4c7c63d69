import type { EventKey, Store } from './store.js'

/**
 * Events this process saw settle (processed, or dead), newest last, at most `max`.
 * Neither state is claimable, so a redelivery of one is a duplicate whatever the store
 * would say: the answer needs no store call at all, nor the body's digest and decoding.
 *
 * Only this process's own writes fill it and only its own requeue/purge calls empty it.
 * An event that another process (the CLI) replays or retries meanwhile is answered
 * `duplicate` here; it still runs, from the store, when the sweeper takes it.
 */
export interface SettledKeys {
  has(key: EventKey): boolean
  /** The store whose complete/fail/requeue/purge keep this in step; give it to the inbox. */
  store: Store
}

const keyOf = (key: EventKey) => `${key.provider}\u0000${key.eventId}`

export function rememberSettled(inner: Store, max = 10_000): SettledKeys {
  const keys = new Set<string>()
  const add = (key: EventKey) => {
    const k = keyOf(key)
    keys.delete(k)
    keys.add(k)
    // A Set iterates in insertion order: the first is the oldest.
    if (keys.size > max) keys.delete(keys.values().next().value!)
  }
  const has = (key: EventKey) => keys.has(keyOf(key))
  const store: Store = {
    ...inner,
    async claim(event, options) {
      return has(event) ? { outcome: 'duplicate' } : inner.claim(event, options)
    },
    async complete(key, fence, now) {
      const done = await inner.complete(key, fence, now)
      if (done) add(key)
      return done
    },
    async fail(key, fence, failure) {
      const recorded = await inner.fail(key, fence, failure)
      if (recorded && failure.nextAttemptAt === null) add(key)
      return recorded
    },
    requeue(key, options) {
      keys.delete(keyOf(key))
      return inner.requeue(key, options)
    },
    requeueAll(status, now) {
      keys.clear()
      return inner.requeueAll(status, now)
    },
    purge(options) {
      keys.clear()
      return inner.purge(options)
    },
  }
  return { has, store }
}
