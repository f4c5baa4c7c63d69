import { WebhookError } from './errors.js'

/**
 * Raw body bytes being read or verified at once, across every delivery of one inbox.
 * A body must be held whole before its signature can be checked (Web Crypto hashes
 * buffers, not streams), so without this cap unauthenticated clients decide how much
 * memory the process holds.
 */
export interface BodyBudget {
  readonly limit: number
  inFlight: number
  /** Deliveries holding bytes that wait for nothing (reading or verifying): only they free room. */
  active: number
  /** Deliveries waiting for room, served in order; see `grow()` for who goes first. */
  readonly waiting: Waiter[]
}

interface Waiter {
  readonly bytes: number
  /** It already holds bytes: a body without Content-Length that needs more. */
  readonly reading: boolean
  grant(): void
}

/** One delivery's share of the budget, held until its body has been verified. */
export interface Reservation {
  /**
   * Holds `total` bytes in all (at most the whole budget), waiting for room until
   * `expired` settles; then throws `server_busy`.
   */
  grow(total: number, expired: Promise<unknown>): Promise<void>
  /** Gives the bytes back; safe to call more than once. */
  release(): void
}

export function bodyBudget(limit: number): BodyBudget {
  return { limit, inFlight: 0, active: 0, waiting: [] }
}

/**
 * Bodies without Content-Length that each hold part of the budget and all need more would
 * wait on each other until they time out: when nothing else holds bytes, one of them reads
 * on, alone, past the budget (as a body larger than the whole budget does), while the
 * others stay paused with what they hold.
 */
function stuck(budget: BodyBudget, reading: boolean) {
  return reading && budget.active === 0
}

function drain(budget: BodyBudget) {
  // Strictly in order: a large body at the head is not starved by small ones behind it.
  for (
    let next = budget.waiting[0];
    next && (budget.inFlight + next.bytes <= budget.limit || stuck(budget, next.reading));
    next = budget.waiting[0]
  ) {
    budget.waiting.shift()
    budget.inFlight += next.bytes
    next.grant()
  }
}

export function reserve(budget: BodyBudget, provider: string): Reservation {
  let held = 0
  let active = false
  const hold = (bytes: number) => {
    held += bytes
    if (!active) budget.active++
    active = true
  }
  const pause = () => {
    if (active) budget.active--
    active = false
  }
  return {
    async grow(total, expired) {
      // Capped at the whole budget, so a body larger than the budget is read alone rather than never.
      const bytes = Math.min(total, budget.limit) - held
      if (bytes <= 0) return
      // A delivery already reading goes ahead of new ones: finishing it is what frees room.
      const reading = held > 0
      pause()
      if ((budget.inFlight + bytes <= budget.limit && (reading || budget.waiting.length === 0)) || stuck(budget, reading)) {
        budget.inFlight += bytes
        hold(bytes)
        return
      }
      await new Promise<void>((resolve, reject) => {
        const waiter: Waiter = {
          bytes,
          reading,
          grant() {
            hold(bytes)
            resolve()
          },
        }
        if (reading) budget.waiting.unshift(waiter)
        else budget.waiting.push(waiter)
        void expired.then(() => {
          const at = budget.waiting.indexOf(waiter)
          if (at === -1) return
          budget.waiting.splice(at, 1)
          // It may have been the head that kept smaller deliveries waiting.
          drain(budget)
          reject(
            new WebhookError(
              'server_busy',
              `${provider}: ${budget.inFlight} body bytes are being read or verified (limit ${budget.limit}); deliver again later`,
            ),
          )
        })
      })
    },
    release() {
      pause()
      budget.inFlight -= held
      held = 0
      drain(budget)
    },
  }
}
