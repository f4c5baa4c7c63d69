import type { Provider } from './provider.js'
import { WebhookError } from './errors.js'
import { userTransaction } from './store-guard.js'
import { describe, notifyDeadLetter, notifyError } from './notify.js'
import { errorAnswer, replyAnswer } from './response.js'
import { backoffMs } from './retry.js'
import { RunSignal } from './run-signal.js'
import { type InboxState, track } from './state.js'
import type { EventKey, OrderedStore, StoredEvent } from './store.js'
import type { HandlerContext, InboxEvent } from './types.js'

export type RunOutcome =
  | { status: 'processed'; reply: Response | undefined }
  | { status: 'failed' | 'dead'; error: WebhookError }
  /** The lease ran out and another run took the event over before this one finished. */
  | { status: 'lost' }
  /** Shutdown aborted the run; the event waits for the next process. */
  | { status: 'released' }
  /** An ordered event older than its entity's processed version: settled, no handler called. */
  | { status: 'stale' }
  /** Another event of its entity ran all the while this run could wait: given back, due again shortly. */
  | { status: 'waiting' }

/** The sweeper stopped waiting: the lease ran out with the handlers still running. */
export type Abandoned = { status: 'abandoned' }

const activeKey = (key: EventKey) => `${key.provider}\u0000${key.eventId}`

/** A handler's success record was refused: another run took the event over, and its result is that run's to record. */
class LeaseLost extends Error {
  constructor(stored: StoredEvent) {
    super(`${stored.provider}: the lease on ${stored.type} ${stored.eventId} ran out and another run took the event over; nothing more of this run is recorded`)
  }
}

/**
 * `ctx.transaction(fn)`: the user's writes and the handler's success record in one
 * commit, under the run's lease. A throw in `fn` reaches the handler unchanged; a
 * failure of the store's own (BEGIN, the lock, COMMIT) is `store_unavailable`.
 */
async function transaction<R>(
  state: InboxState,
  stored: StoredEvent,
  handler: string,
  generation: number,
  fn: (tx: unknown) => R | Promise<R>,
  committed: { done: boolean },
): Promise<Awaited<R>> {
  if (state.transaction === undefined) {
    throw new WebhookError(
      'transaction_unsupported',
      `ctx.transaction(): this store has no transactions (D1 has none), so ${handler}'s writes cannot commit with its success record; write them keyed by event.id (INSERT … ON CONFLICT DO NOTHING) instead`,
    )
  }
  if (committed.done) {
    throw new WebhookError('transaction_unsupported', `ctx.transaction(): ${handler} already committed its transaction in this run, and that recorded it as done; put all its writes in one transaction`)
  }
  const key = { provider: stored.provider, eventId: stored.eventId }
  const success = { key, fence: stored.fence, handler, generation, now: state.now() }
  const result = await userTransaction('transaction', (own) => state.transaction!(success, own(fn)))
  if (!result.held) throw new LeaseLost(stored)
  committed.done = true
  return result.value
}

/**
 * Runs the handlers for an event this caller holds the lease on (fence
 * `stored.fence`), then records the result with a fenced write. The handlers'
 * signal is aborted when the lease runs out or the inbox shuts down.
 */
export function runEvent(state: InboxState, stored: StoredEvent, verifiedPayload?: unknown): Promise<RunOutcome> {
  // A delivery or a replay someone waits for: an ordered event may wait for its entity
  // for up to half its lease (the deadline mode answers `accepted` meanwhile).
  const work = run(state, stored, verifiedPayload, state.leaseMs / 2)
  track(state, work.outcome)
  return work.outcome
}

/**
 * For the sweeper and background runs, on an event this caller has taken: resolves
 * `abandoned` once the lease runs out, so a hung handler frees its slot. The run goes
 * on, and its result still counts unless another run took the event over meanwhile.
 */
export function runWithinLease(state: InboxState, stored: StoredEvent): Promise<RunOutcome | Abandoned> {
  // The sweeper does not wait for a busy entity: the event is due again once it is free.
  const work = run(state, stored, undefined, 0)
  track(state, work.outcome)
  if (work.leaseEnded === undefined) return work.outcome
  return Promise.race([work.outcome, work.leaseEnded.then((): Abandoned => ({ status: 'abandoned' }))])
}

function run(state: InboxState, stored: StoredEvent, verifiedPayload: unknown, waitMs: number): { outcome: Promise<RunOutcome>; leaseEnded?: Promise<void> } {
  const key = { provider: stored.provider, eventId: stored.eventId }
  const fence = stored.fence
  // Runs since the event was last requeued on purpose; what maxAttempts and backoff count.
  const runs = fence - stored.fenceBase
  const event: InboxEvent = {
    provider: stored.provider,
    id: stored.eventId,
    type: stored.type,
    payload: verifiedPayload,
    attempt: runs,
    replay: stored.replay,
    receivedAt: stored.receivedAt,
  }
  // Runs that never recorded a result (the process died, or hung past its lease)
  // still count: past maxAttempts the event is dead-lettered without another run.
  if (runs > state.maxAttempts) {
    return { outcome: recordFailure(state, event, fence, new Error(`gave up: ${runs - 1} runs ended without a result`)) }
  }
  const active = activeKey(key)
  if (state.active.has(active)) {
    // Counted like a failed run, so an event whose handler never returns still ends dead.
    const cause = new Error('not run: its previous run in this process outlived its lease and has not returned')
    return { outcome: recordFailure(state, event, fence, cause) }
  }

  const runSignal = new RunSignal(stored.leaseEndsAt ?? 0, state.now, state.leaseMs)
  state.runs.add(runSignal)
  state.active.add(active)
  // An ordered event (its row names an entity) runs only while it holds that entity.
  const order = stored.entityKey !== null ? storeOrdering(state) : undefined
  const entered = order && enter(state, order, stored, waitMs)
  const handlers: Promise<{ value: unknown } | undefined | Blocked> = entered
    ? entered.then((blocked): Promise<{ value: unknown } | undefined | Blocked> | Blocked => blocked ?? runHandlers(state, stored, event, runSignal, verifiedPayload))
    : runHandlers(state, stored, event, runSignal, verifiedPayload)
  const started = Date.now()
  const ended = () => {
    state.metrics.handlerDuration(stored.provider, (Date.now() - started) / 1000)
    state.active.delete(active)
    state.runs.delete(runSignal)
    runSignal.dispose()
  }
  handlers.then(ended, ended)
  // The hold ends with the lease anyway; letting go early only lets the next event start sooner.
  const letGo = () => order?.letGo(key, fence, state.now()).catch(() => {})
  const outcome = (async (): Promise<RunOutcome> => {
    let reply: { value: unknown } | undefined | Blocked
    try {
      reply = await handlers
    } catch (cause) {
      if (cause instanceof LeaseLost) return lost(state, stored)
      if (runSignal.stopping) {
        await state.store.release(key, fence, state.now())
        await letGo()
        return { status: 'released' }
      }
      const failed = await recordFailure(state, event, fence, cause)
      await letGo()
      return failed
    }
    if (reply instanceof Blocked) return reply.outcome
    const done = order ? await order.settle(key, fence, 'processed', state.now()) : await state.store.complete(key, fence, state.now())
    if (!done) return lost(state, stored)
    state.metrics.run(stored.provider, 'processed')
    return { status: 'processed', reply: await encodeReply(state, event, reply) }
  })()
  return { outcome, leaseEnded: runSignal.leaseEnded }
}

/** A run that ended before its handlers: its entity was busy, or the event is stale. */
class Blocked {
  constructor(readonly outcome: RunOutcome) {}
}

/** The store's ordering; every built-in store has it, and createInbox refuses `ordering` over one without. */
function storeOrdering(state: InboxState): Pick<OrderedStore, 'hold' | 'settle' | 'letGo'> | undefined {
  const { hold, settle, letGo } = state.store
  return hold && settle && letGo && { hold, settle, letGo }
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms))

/**
 * Takes the event's entity for this run, waiting up to `waitMs` while another event's
 * run holds it; undefined once held and the event is not stale, so its handlers run.
 * Else how the run ends: `stale` (settled without a handler: a newer version was
 * processed; a replay is run whatever its version), `waiting` (given back, due again
 * when the entity is expected free), or `lost`.
 */
async function enter(state: InboxState, order: Pick<OrderedStore, 'hold' | 'settle' | 'letGo'>, stored: StoredEvent, waitMs: number): Promise<Blocked | undefined> {
  const key = { provider: stored.provider, eventId: stored.eventId }
  const giveUpAt = Date.now() + waitMs
  // Bounded in time: polls at 10 ms, doubling to 200 ms, until the hold is won or waitMs is up.
  for (let pause = 10; ; pause = Math.min(pause * 2, 200)) {
    const held = await order.hold(key, stored.fence, state.now())
    if (held.outcome === 'lost') return new Blocked(lost(state, stored))
    if (held.outcome === 'held') {
      if (stored.replay || held.version === null || stored.entityVersion! >= held.version) return undefined
      if (!(await order.settle(key, stored.fence, 'stale', state.now()))) return new Blocked(lost(state, stored))
      return new Blocked({ status: 'stale' })
    }
    if (Date.now() + pause > giveUpAt) {
      const now = state.now()
      // Due again when the holder's lease ends at the latest, and within a second, as it usually finishes sooner.
      const released = await state.store.release(key, stored.fence, now, Math.min(held.until, now + 1000))
      return new Blocked(released ? { status: 'waiting' } : lost(state, stored))
    }
    await sleep(pause)
  }
}

function lost(state: InboxState, stored: StoredEvent): RunOutcome {
  state.logger.warn(
    `[webhook-inbox] ${stored.provider}: ${stored.type} ${stored.eventId} finished after its lease ran out and another run took it over; raise leaseMs above the slowest handler`,
  )
  return { status: 'lost' }
}

/**
 * The handlers in registration order, but for those recorded as returned for this event
 * in its generation (an earlier run of it, before another handler threw or the process
 * died); each one that returns is recorded before the next starts. Resolves with the
 * reply to send, if a handler that ran returned one.
 */
async function runHandlers(
  state: InboxState,
  stored: StoredEvent,
  event: InboxEvent,
  runSignal: RunSignal,
  verifiedPayload: unknown,
): Promise<{ value: unknown } | undefined> {
  const provider: Provider | undefined = Object.hasOwn(state.providers, stored.provider) ? state.providers[stored.provider] : undefined
  if (provider === undefined) throw new Error(`no provider named "${stored.provider}" is configured`)
  if (verifiedPayload === undefined) event.payload = provider.parse(stored.body, new Headers(stored.headers))
  const key = { provider: stored.provider, eventId: stored.eventId }
  // A replay raises `replays`: a new generation, in which every handler runs again.
  const generation = stored.replays
  // The first lease of an event (fence 1) follows no run, so nothing is recorded yet: no read.
  const handled = new Set(stored.fence === 1 ? [] : await state.store.handled(key, generation))
  let reply: { value: unknown } | undefined
  for (const { name, handler } of state.handlers.handlersFor(stored.provider, stored.type)) {
    if (handled.has(name)) continue
    const committed = { done: false }
    const ctx: HandlerContext = {
      attempt: event.attempt,
      get signal() {
        return runSignal.signal
      },
      transaction: (fn) => transaction(state, stored, name, generation, fn, committed),
    }
    const value = await handler(event, ctx)
    if (value instanceof Response || (value !== undefined && provider.handlerReplies)) reply = { value }
    // A handler whose transaction committed is recorded already, by that transaction.
    if (!committed.done && !(await state.store.markHandled(key, stored.fence, name, generation, state.now()))) throw new LeaseLost(stored)
  }
  return reply
}

/**
 * Built only after the event is marked processed: a reply JSON cannot encode (a BigInt)
 * is answered 500 `internal_error` and reported, without running the handlers again.
 */
async function encodeReply(state: InboxState, event: InboxEvent, reply: { value: unknown } | undefined): Promise<Response | undefined> {
  if (reply === undefined) return undefined
  try {
    return replyAnswer(reply.value)
  } catch (cause) {
    const error = new WebhookError(
      'internal_error',
      `${event.provider}: the handler's reply to ${event.type} ${event.id} could not be encoded as JSON (${describe(cause)}); the event is processed and will not run again`,
      { cause },
    )
    await notifyError(state, error, event)
    return errorAnswer(error)
  }
}

async function recordFailure(state: InboxState, event: InboxEvent, fence: number, cause: unknown): Promise<RunOutcome> {
  const run = event.attempt
  const dead = run >= state.maxAttempts
  const nextAttemptAt = dead ? null : state.now() + backoffMs(run, state.backoff)
  const key = { provider: event.provider, eventId: event.id }
  const recorded = await state.store.fail(key, fence, { error: describe(cause), nextAttemptAt, now: state.now() })
  // Another run took the event over after this one's lease ran out; the result is its to record.
  if (!recorded) return { status: 'lost' }
  state.metrics.run(event.provider, dead ? 'dead' : 'failed')
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

/** Takes a due event and runs it within its lease, unless a sweeper or another process took it first. */
export async function runQueued(state: InboxState, key: EventKey): Promise<RunOutcome | Abandoned | undefined> {
  const event = await state.store.take(key, { now: state.now(), leaseMs: state.leaseMs })
  return event && runWithinLease(state, event)
}

/** Takes a due event and runs it to its end (a replay the caller waits for). */
export async function runTaken(state: InboxState, key: EventKey): Promise<RunOutcome | undefined> {
  const event = await state.store.take(key, { now: state.now(), leaseMs: state.leaseMs })
  return event && runEvent(state, event)
}
