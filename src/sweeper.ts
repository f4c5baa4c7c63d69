import { asWebhookError, notifyError } from './notify.js'
import { runQueued } from './run-event.js'
import { type InboxState, ShutdownSignal, track } from './state.js'
import type { EventStatus } from './stores/types.js'

export interface RetrySummary {
  /** Due events this pass took a lease on. */
  taken: number
  processed: number
  failed: number
  dead: number
}

export interface RetryOptions {
  /** Most events one pass takes. */
  limit?: number
  /** Events run at once. */
  concurrency?: number
}

/** The sweeper: runs every due event (waiting, failed and due, or abandoned by a dead process) once. */
export async function retryDue(state: InboxState, { limit = 100, concurrency = 4 }: RetryOptions = {}): Promise<RetrySummary> {
  const keys = await state.store.due(state.now(), limit)
  const summary: RetrySummary = { taken: 0, processed: 0, failed: 0, dead: 0 }
  let next = 0
  async function lane() {
    while (next < keys.length && !state.stopping) {
      const outcome = await runQueued(state, keys[next++]!)
      if (outcome === undefined) continue
      summary.taken++
      if (outcome.status === 'processed' || outcome.status === 'failed' || outcome.status === 'dead') summary[outcome.status]++
    }
  }
  await Promise.all(Array.from({ length: Math.min(concurrency, keys.length) }, lane))
  return summary
}

export interface PurgeOptions {
  /** Age in ms, or a Date: events last updated before it are deleted. */
  olderThan: number | Date
  /** Which events may go; default processed only, so failed and dead ones stay for inspection. */
  statuses?: readonly EventStatus[]
}

export function purge(state: InboxState, { olderThan, statuses = ['processed'] }: PurgeOptions): Promise<number> {
  const before = olderThan instanceof Date ? olderThan.getTime() : state.now() - olderThan
  return state.store.purge({ before, statuses, now: state.now() })
}

/** Processed events are kept 30 days: longer than any provider retries (Stripe: 3 days). */
export const DEFAULT_RETENTION_MS = 30 * 24 * 60 * 60 * 1000

export interface WorkerOptions extends RetryOptions {
  /** Pause between sweeper passes. */
  intervalMs?: number
  /** Overrides the inbox's `retentionMs` for this worker's hourly purge. */
  retentionMs?: number
}

/**
 * A Workers cron trigger's work: one sweeper pass, then the retention purge. Errors
 * go to onError; the next cron run tries again.
 */
export async function sweepOnce(state: InboxState): Promise<void> {
  try {
    await retryDue(state)
    if (Number.isFinite(state.retentionMs)) await purge(state, { olderThan: state.retentionMs })
  } catch (error) {
    await notifyError(state, asWebhookError(error))
  }
}

export interface Worker {
  /** Stops scheduling passes; a pass in progress finishes (see `inbox.shutdown()`). */
  stop(): void
}

/**
 * The in-process sweeper. Each tick leases due events up to `concurrency` runs in
 * flight and starts them without waiting for them, so a handler that hangs holds one
 * slot (until its lease runs out and it is retried elsewhere), never the whole sweeper.
 */
export function startWorker(state: InboxState, options: WorkerOptions = {}): Worker {
  const { intervalMs = 5_000, retentionMs = state.retentionMs, concurrency = 4 } = options
  let stopped = false
  let running = 0
  let lastPurge = Number.NEGATIVE_INFINITY
  let timer: ReturnType<typeof setTimeout> | undefined

  async function pass() {
    try {
      const room = Math.min(concurrency - running, options.limit ?? concurrency)
      const keys = room > 0 ? await state.store.due(state.now(), room) : []
      for (const key of keys) {
        if (state.stopping) break
        running++
        const done = () => void running--
        track(state, runQueued(state, key).catch((error: unknown) => notifyError(state, asWebhookError(error))).then(done, done))
      }
      if (Number.isFinite(retentionMs) && state.now() - lastPurge >= 3_600_000) {
        lastPurge = state.now()
        await purge(state, { olderThan: retentionMs })
      }
    } catch (error) {
      await notifyError(state, asWebhookError(error))
    }
  }

  function tick() {
    if (stopped || state.stopping) return
    const work = pass()
    track(state, work)
    void work.then(() => {
      if (!stopped && !state.stopping) timer = setTimeout(tick, intervalMs)
    })
  }

  timer = setTimeout(tick, 0)
  return {
    stop() {
      stopped = true
      clearTimeout(timer)
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
