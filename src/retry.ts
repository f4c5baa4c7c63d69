export interface BackoffOptions {
  /** Delay before the first retry; each later one doubles it. */
  baseMs?: number
  /** Upper bound of any single delay. */
  maxMs?: number
}

/**
 * Exponential backoff with jitter: the delay after attempt n lies between half
 * and all of `baseMs * 2^(n-1)` (capped at `maxMs`), so retries of events that
 * failed together spread out instead of arriving in lockstep.
 */
export function backoffMs(attempt: number, { baseMs = 10_000, maxMs = 3_600_000 }: BackoffOptions = {}, random = Math.random) {
  const ceiling = Math.min(maxMs, baseMs * 2 ** Math.max(0, attempt - 1))
  return Math.round(ceiling / 2 + random() * (ceiling / 2))
}
