import { WebhookError } from './errors.js'
import { describe, notifyDeadLetter, notifyError } from './notify.js'
import { replyAnswer } from './response.js'
import { backoffMs } from './retry.js'
import { RunSignal } from './run-signal.js'
import { type InboxState, track } from './state.js'
import type { EventKey, StoredEvent } from './stores/types.js'
import type { InboxEvent } from './types.js'

export type RunOutcome =
  | { status: 'processed'; reply: Response | undefined }
  | { status: 'failed' | 'dead'; error: WebhookError }
  /** The lease ran out and another run took the event over before this one finished. */
  | { status: 'lost' }
  /** Shutdown aborted the run; the event waits for the next process. */
  | { status: 'released' }

export async function guardStore<T>(what: string, run: () => Promise<T>): Promise<T> {
  try {
    return await run()
  } catch (cause) {
    throw new WebhookError('store_unavailable', `store: ${what} failed (${describe(cause)})`, { cause })
  }
}

/**
 * Runs the handlers for an event this caller holds the lease on (attempt
 * `stored.attempts`), then records the result with a fenced write. The handlers'
 * signal is aborted when the lease runs out or the inbox shuts down.
 */
export function runEvent(state: InboxState, stored: StoredEvent, verifiedPayload?: unknown): Promise<RunOutcome> {
  const work = run(state, stored, verifiedPayload)
  track(state, work)
  return work
}

async function run(state: InboxState, stored: StoredEvent, verifiedPayload: unknown): Promise<RunOutcome> {
  const key = { provider: stored.provider, eventId: stored.eventId }
  const attempt = stored.attempts
  // Runs since the event was last requeued on purpose; what maxAttempts and backoff count.
  const run = attempt - stored.attemptBase
  const runSignal = new RunSignal(stored.lockedUntil ?? 0, state.now, state.leaseMs)
  state.runs.add(runSignal)
  const event: InboxEvent = {
    provider: stored.provider,
    id: stored.eventId,
    type: stored.type,
    payload: verifiedPayload,
    attempt: run,
    replay: stored.replay,
    receivedAt: stored.receivedAt,
  }
  try {
    let reply: Response | undefined
    const provider = Object.hasOwn(state.providers, stored.provider) ? state.providers[stored.provider] : undefined
    try {
      // Runs that never recorded a result (the process died, or hung past its lease)
      // still count: past maxAttempts the event is dead-lettered without another run.
      if (run > state.maxAttempts) throw new Error(`gave up: ${run - 1} runs ended without a result`)
      if (provider === undefined) throw new Error(`no provider named "${stored.provider}" is configured`)
      if (verifiedPayload === undefined) event.payload = provider.parse(stored.body, new Headers(stored.headers)).payload
      for (const handler of state.handlers.handlersFor(stored.provider, stored.type)) {
        const value = await handler(event, {
          attempt: run,
          get signal() {
            return runSignal.signal
          },
        })
        if (value instanceof Response || (value !== undefined && provider.handlerReplies)) reply = replyAnswer(value)
      }
    } catch (cause) {
      if (runSignal.stopping) {
        await guardStore('release', () => state.store.release(key, attempt, state.now()))
        return { status: 'released' }
      }
      return await recordFailure(state, event, attempt, cause)
    }
    const completed = await guardStore('complete', () => state.store.complete(key, attempt, state.now()))
    if (!completed) {
      console.warn(
        `[webhook-inbox] ${stored.provider}: ${stored.type} ${stored.eventId} finished after its lease ran out and another run took it over; raise leaseMs above the slowest handler`,
      )
      return { status: 'lost' }
    }
    return { status: 'processed', reply }
  } finally {
    runSignal.dispose()
    state.runs.delete(runSignal)
  }
}

async function recordFailure(state: InboxState, event: InboxEvent, attempt: number, cause: unknown): Promise<RunOutcome> {
  const run = event.attempt
  const dead = run >= state.maxAttempts
  const nextAttemptAt = dead ? null : state.now() + backoffMs(run, state.backoff)
  const key = { provider: event.provider, eventId: event.id }
  const recorded = await guardStore('fail', () =>
    state.store.fail(key, attempt, { error: describe(cause), nextAttemptAt, now: state.now() }),
  )
  // Another run took the event over after this one's lease ran out; the result is its to record.
  if (!recorded) return { status: 'lost' }
  const error = new WebhookError(
    'handler_failed',
    `${event.provider}: handler failed for ${event.type} ${event.id} (attempt ${run} of ${state.maxAttempts}, ${
      dead ? 'dead-lettered' : `retry after ${new Date(nextAttemptAt!).toISOString()}`
    })`,
    { cause },
  )
  await notifyError(state, error, event)
  if (dead) await notifyDeadLetter(state, event, error)
  return { status: dead ? 'dead' : 'failed', error }
}

/** Takes a queued event and runs it, unless another worker got there first. */
export async function runQueued(state: InboxState, key: EventKey): Promise<RunOutcome | undefined> {
  const event = await state.store.take(key, { now: state.now(), leaseMs: state.leaseMs })
  return event && runEvent(state, event)
}
