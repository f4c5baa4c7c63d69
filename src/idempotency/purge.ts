import type { IdempotencyKeys, KeyStore } from '../store.js'

const BATCH = 100
const MAX_BATCHES = 10_000

/**
 * Deletes every expired idempotency key, a bounded batch at a time, for a cron job
 * (the middleware also purges one batch now and then); returns how many.
 *
 * @example
 * await purgeIdempotencyKeys(store)
 */
export async function purgeIdempotencyKeys(store: KeyStore, { now = Date.now() }: { now?: number } = {}): Promise<number> {
  let deleted = 0
  for (let batch = 0; batch < MAX_BATCHES; batch++) {
    const count = await store.keys.purge({ now, limit: BATCH })
    deleted += count
    if (count < BATCH) break
  }
  return deleted
}

const PURGE_EVERY_MS = 60_000

/**
 * One batch of expired keys, at most once a minute per middleware, started beside the
 * request's own write: on SQLite both share one group commit. Not awaited, and its
 * failure is ignored, because the answer does not depend on it.
 */
export function createPurger(keys: IdempotencyKeys) {
  let last = Number.NEGATIVE_INFINITY
  return (now: number) => {
    if (now - last < PURGE_EVERY_MS) return
    last = now
    keys.purge({ now, limit: BATCH }).catch(() => {})
  }
}
