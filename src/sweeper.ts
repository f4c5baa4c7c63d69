import { asWebhookError, notifyError } from './notify.js'
import { runWithinLease } from './run-event.js'
import { type InboxState, ShutdownSignal, track } from './state.js'
import type { EventStatus } from './store.js'

/** What one sweep did. */
export interface SweepSummary {
  /** Due events this sweep took a lease on. */
  taken: number
  processed: number
  failed: number
  dead: number
}

export interface SweepOptions {
  /** Most events one sweep takes. */
  limit?: number
  /** Events run at once. */
  concurrency?: number
}

/** One sweep: runs every due event (waiting, failed and due, or abandoned by a dead process) once. */
export async function sweep(state: InboxState, { limit = 100, concurrency = 4 }: SweepOptions = {}): Promise<SweepSummary> {
  const summary: SweepSummary = { taken: 0, processed: 0, failed: 0, dead: 0 }
  // Taken `concurrency` at a time, so no lease starts counting down while its event waits for a lane.
  while (summary.taken < limit && !state.stopping) {
    const events = await takeDue(state, Math.min(concurrency, limit - summary.taken))
    if (events.length === 0) break
    summary.taken += events.length
    const outcomes = await Promise.all(events.map((event) => runWithinLease(state, event)))
    for (const outcome of outcomes) {
      if (outcome.status === 'processed' || outcome.status === 'failed' || outcome.status === 'dead') summary[outcome.status]++
    }
    // A whole lease has gone by: an abandoned event is due again, and one sweep runs each event once.
    if (outcomes.some((outcome) => outcome.status === 'abandoned')) break
  }
  return summary
}

// Only this inbox's providers: an event it cannot run must not spend an attempt here.
const takeDue = (state: InboxState, limit: number) =>
  state.store.takeDue({ now: state.now(), leaseMs: state.leaseMs, limit, providers: Object.keys(state.providers) })

export interface PurgeOptions {
  /** Age in ms, or a Date: events last updated before it are deleted. */
  olderThan: number | Date
  /** Which events may go; default processed and stale ones only, so failed and dead ones stay for inspection. */
  statuses?: readonly EventStatus[]
}

export function purge(state: InboxState, { olderThan, statuses = ['processed', 'stale'] }: PurgeOptions): Promise<number> {
  const before = olderThan instanceof Date ? olderThan.getTime() : state.now() - olderThan
  return state.store.purge({ before, statuses, now: state.now() })
}

/** Processed events are kept 30 days: longer than any provider retries (Stripe: 3 days). */
export const DEFAULT_RETENTION_MS = 30 * 24 * 60 * 60 * 1000

export interface SweeperOptions extends SweepOptions {
  /** Pause between sweeps. */
  intervalMs?: number
  /** Overrides the inbox's `retentionMs` for this sweeper's hourly purge. */
  retentionMs?: number
}

/**
 * A Workers cron trigger's work (`inbox.scheduled`): one sweep, then the retention
 * purge. Errors go to onError; the next cron run tries again.
 */
export async function sweepAndPurge(state: InboxState): Promise<void> {
  try {
    await sweep(state)
    if (Number.isFinite(state.retentionMs)) await purge(state, { olderThan: state.retentionMs })
  } catch (error) {
    await notifyError(state, asWebhookError(error))
  }
}

/** The in-process sweeper `inbox.startSweeper()` started. */
export interface Sweeper {
  /** Stops scheduling sweeps; a sweep in progress finishes (see `inbox.shutdown()`). */
  stop(): void
}

/**
 * The in-process sweeper. Each tick leases due events up to `concurrency` runs in
 * flight and starts them without waiting for them, so a handler that hangs holds one
 * slot (until its lease runs out and it runs again elsewhere), never the whole sweeper.
 */
export function startSweeper(state: InboxState, options: SweeperOptions = {}): Sweeper {
  const { intervalMs = 5_000, retentionMs = state.retentionMs, concurrency = 4 } = options
  let stopped = false
  let running = 0
  let lastPurge = Number.NEGATIVE_INFINITY
  let timer: ReturnType<typeof setTimeout> | undefined
  let sweeping = false
  let wokenWhileSweeping = false
  let storeDown = false

  async function sweepFreeSlots() {
    try {
      const room = Math.min(concurrency - running, options.limit ?? concurrency)
      for (const event of room > 0 ? await takeDue(state, room) : []) {
        if (state.stopping) {
          await state.store.release({ provider: event.provider, eventId: event.eventId }, event.fence, state.now())
          continue
        }
        running++
        const done = () => void running--
        track(state, runWithinLease(state, event).catch((error: unknown) => notifyError(state, asWebhookError(error))).then(done, done))
      }
      if (Number.isFinite(retentionMs) && state.now() - lastPurge >= 3_600_000) {
        lastPurge = state.now()
        await purge(state, { olderThan: retentionMs })
      }
      storeDown = false
    } catch (error) {
      const failure = asWebhookError(error)
      // One report per outage, not one per sweep: the first failed sweep says it, the rest stay quiet until one succeeds.
      if (failure.code === 'store_unavailable' && storeDown) return
      storeDown = failure.code === 'store_unavailable'
      await notifyError(state, failure)
    }
  }

  function tick() {
    if (stopped || state.stopping) return
    sweeping = true
    const work = sweepFreeSlots()
    track(state, work)
    void work.then(() => {
      sweeping = false
      if (stopped || state.stopping) return
      timer = setTimeout(tick, wokenWhileSweeping ? 0 : intervalMs)
      wokenWhileSweeping = false
    })
  }

  // A store that hears of due events from other processes (Postgres NOTIFY) starts a sweep at once.
  const unsubscribe = state.store.onDue?.(() => {
    if (sweeping) wokenWhileSweeping = true
    else if (!stopped && !state.stopping) {
      clearTimeout(timer)
      timer = setTimeout(tick, 0)
    }
  })

  timer = setTimeout(tick, 0)
  return {
    stop() {
      stopped = true
      clearTimeout(timer)
      unsubscribe?.()
    },
  }
}

async function settleWithin(state: InboxState, ms: number): Promise<boolean> {
  const deadline = Date.now() + ms
  while (state.pending.size > 0) {
    const left = deadline - Date.now()
    if (left <= 0) return false
    let timeout: ReturnType<typeof setTimeout> | undefined
    await Promise.race([
      Promise.allSettled([...state.pending]),
      new Promise((resolve) => (timeout = setTimeout(resolve, left))),
    ])
    clearTimeout(timeout)
  }
  return true
}

/**
 * Stops taking events, lets running handlers finish for up to `graceMs`, then
 * aborts the rest through `ctx.signal`: a handler that stops gives its lease back,
 * so the next process runs the event at once. One that ignores the signal for
 * another 2 s is abandoned; its event runs again once the lease runs out.
 */
export async function shutdown(state: InboxState, { graceMs = 10_000 }: { graceMs?: number } = {}) {
  state.stopping = true
  if (!(await settleWithin(state, graceMs))) {
    for (const run of state.runs) run.stop(new ShutdownSignal('the inbox is shutting down'))
    await settleWithin(state, 2_000)
  }
  state.closed = true
  await state.store.close()
}
