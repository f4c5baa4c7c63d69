import { Hono } from 'hono'
import { bodyBudget } from './body-budget.js'
import { createHandlers } from './handlers.js'
import { WebhookError } from './errors.js'
import { type Defer, receive } from './receive.js'
import { runTaken } from './run-event.js'
import { guardStore } from './store-guard.js'
import { rememberSettled } from './settled-keys.js'
import type { BackoffOptions } from './retry.js'
import type { InboxState } from './state.js'
import { track } from './state.js'
import { consoleLogger, type Logger } from './logger.js'
import { createMetrics, type MetricsSnapshot } from './metrics.js'
import { EVENT_STATUSES } from './statuses.js'
import type { ActivityBucket, EventKey, EventStatus, EventSummary, ListFilter, OrderedStore, Store, StoredEvent, TransactionalStore, TransactionOf } from './store.js'
import {
  DEFAULT_RETENTION_MS,
  purge,
  type PurgeOptions,
  shutdown,
  startSweeper,
  sweep,
  sweepAndPurge,
  type Sweeper,
  type SweeperOptions,
  type SweepOptions,
  type SweepSummary,
} from './sweeper.js'
import { type DeadLetterHandler, type ErrorHandler, type EventsOf, type Handler, type HandlerOptions, INBOX_MODES, type InboxMode, type OrderingFn, type PayloadsOf, type Providers } from './types.js'

export interface InboxOptions<P extends Providers, S extends Store = Store> {
  /** Where events live; a store with transactions (SQLite, Postgres, MySQL) gives handlers `ctx.transaction`. */
  store: S
  /** Instance name → provider; the name is the last path segment of the webhook URL. */
  providers: P
  /**
   * `deadline` (default): handlers run before the answer, which is theirs (200, a Slack
   * reply, or 500 when one throws) unless the provider's delivery deadline comes first;
   * then the answer is 2xx `accepted` and the run finishes in the background (Node: this
   * process; Workers: `ctx.waitUntil`). `inline`: the answer always waits for the
   * handlers. `queue`: 202 as soon as the event is stored, handlers in the background.
   * `deadline` and `queue` need a sweeper running (`serve()`, or the Workers cron).
   */
  mode?: InboxMode
  /** How long one run owns a claimed event; after that another may take it over. */
  leaseMs?: number
  /** Runs before an event is dead-lettered. */
  maxAttempts?: number
  backoff?: BackoffOptions
  /** Processed events are kept this long (the dedupe window), then purged; `Infinity` keeps them. */
  retentionMs?: number
  /**
   * Raw body bytes read or verified at once across deliveries (default 64 MiB); past it
   * a delivery waits for room, then is answered 503 `server_busy`. A body larger than
   * this is still read, alone.
   */
  maxBytesInFlight?: number
  /** Time to receive a body, including any wait for room (default 10 s); then 408 `body_timeout`. */
  bodyTimeoutMs?: number
  /** Current time in milliseconds, like `Date.now` (for tests). */
  now?: () => number
  /**
   * Events applied in order per entity, per provider: a function giving an event's entity
   * and version (`{ key, version }`, or undefined to leave it unordered), or `true` for the
   * provider's own (Stripe, Paddle, Shopify, Linear). Events of one entity never run at
   * once, across processes; one older than a version already processed is stored `stale`
   * and runs no handler. Needs a store that orders (every built-in one).
   */
  ordering?: { [K in keyof P]?: true | OrderingFn<PayloadsOf<P[K]>> }
  /** Where the inbox's own lines go (handler failures with their stack, warnings); `console` by default. */
  logger?: Logger
}

/** What the store holds now, counted by the database (the same on every instance). */
export interface InboxStats {
  byStatus: Record<EventStatus, number>
  byProvider: Record<string, Partial<Record<EventStatus, number>>>
  /** How long the longest-waiting due event has waited (ms); null when none is due. */
  oldestDueAgeMs: number | null
  dead: number
}

export type ReplayResult =
  | { status: 'processed' }
  | { status: 'failed' | 'dead'; error: WebhookError }
  /** Not stored; or a run holds it now; or a sweeper (this process's or another's) took the replay first. */
  | { status: 'missing' | 'running' | 'taken' }
  /** Ordered events: a retried one older than its entity's processed version (settled, not run); or its entity stayed busy, so the sweeper runs it once free. */
  | { status: 'stale' | 'waiting' }

/** The payload type of event `T` of provider instance `K`: what `inbox.on(K, T, handler)` hands its handler. */
export type PayloadOf<P extends Providers, K extends keyof P, T> = T extends keyof EventsOf<P[K]> ? EventsOf<P[K]>[T] : never

/** What a Worker's `fetch` receives as its third argument; only `waitUntil` is used. */
export interface ExecutionContextLike {
  waitUntil(work: Promise<unknown>): void
}

/** `Tx`: what `ctx.transaction(fn)` hands `fn`, from the store (see `TransactionOf`). */
export interface Inbox<P extends Providers, Tx = unknown> {
  /** Registers a handler for one event type of one provider instance. */
  on<K extends keyof P & string, T extends keyof EventsOf<P[K]> & string>(
    provider: K,
    type: T,
    handler: Handler<PayloadOf<P, K, T>, Tx>,
    options?: HandlerOptions,
  ): Inbox<P, Tx>
  /** Registers a handler for every event of every provider. */
  onAny(handler: Handler<unknown, Tx>, options?: HandlerOptions): Inbox<P, Tx>
  /** Called for every delivery or run that ends in an error. */
  onError(handler: ErrorHandler): Inbox<P, Tx>
  /** Called once when an event is dead-lettered after `maxAttempts` failed runs. */
  onDeadLetter(handler: DeadLetterHandler): Inbox<P, Tx>
  /**
   * Any runtime: the provider instance is the last path segment (`/webhooks/stripe`
   * → `stripe`). On Workers, pass the execution context so queue mode can use `waitUntil`.
   */
  fetch(request: Request, env?: unknown, ctx?: ExecutionContextLike): Promise<Response>
  /** A Hono app serving `POST /:provider`, to mount with `app.route('/webhooks', inbox.routes())`. */
  routes(): Hono
  /** One sweep: runs every due event (failed and due, queued, or abandoned by a dead process) once. */
  sweep(options?: SweepOptions): Promise<SweepSummary>
  /** @deprecated use sweep() */
  retryDue(options?: SweepOptions): Promise<SweepSummary>
  /**
   * Workers cron trigger (`export default { fetch: inbox.fetch, scheduled: inbox.scheduled }`):
   * one sweep and the retention purge, kept alive with `ctx.waitUntil`.
   */
  scheduled(controller?: unknown, env?: unknown, ctx?: ExecutionContextLike): Promise<void>
  /** Starts the sweeper in this process: a sweep every `intervalMs`, and a purge past the retention each hour. */
  startSweeper(options?: SweeperOptions): Sweeper
  /** @deprecated use startSweeper() */
  startWorker(options?: SweeperOptions): Sweeper
  /** Stops taking events, waits up to `graceMs` for running handlers, gives back the rest, closes the store. */
  shutdown(options?: { graceMs?: number }): Promise<void>
  /**
   * Runs the handlers on a stored event again, on purpose: dedupe is bypassed, the run
   * sees `event.replay === true`, and the row counts it in `replays`. Refused while a
   * run holds the event (`running`).
   */
  replay(provider: keyof P & string, eventId: string): Promise<ReplayResult>
  get(provider: keyof P & string, eventId: string): Promise<StoredEvent | undefined>
  /** Summaries without body and headers, newest first; `get()` has the whole event. */
  list(filter?: ListFilter): Promise<EventSummary[]>
  /** Deletes old events (by default processed ones only); returns how many. */
  purge(options: PurgeOptions): Promise<number>
  /**
   * Runs a failed or dead event again now, with a fresh set of `maxAttempts` runs (not a
   * replay: it has not succeeded yet). `missing` also covers an event in another status.
   */
  retry(provider: keyof P & string, eventId: string): Promise<ReplayResult>
  /** Makes every failed event due now, or revives every dead one; the sweeper runs them. Returns how many. */
  retryAll(status: 'failed' | 'dead'): Promise<number>
  /** Counts by status and provider, the oldest due event's age, the dead count. */
  stats(): Promise<InboxStats>
  /** Events received since `since` (ms), per `bucketMs` and current status: what the dashboard charts. */
  activity(since: number, bucketMs: number): Promise<ActivityBucket[]>
  /** This process's counters since it started: deliveries by outcome, runs, handler durations. */
  metrics(): MetricsSnapshot
  readonly logger: Logger
}

const QUEUE_CONCURRENCY = 32

/** Replay or retry, then run it here and wait: the caller (CLI, dashboard) sees the result. */
async function requeueAndRun(state: InboxState, key: EventKey, reason: 'replay' | 'retry'): Promise<ReplayResult> {
  // Refused before the row changes: this inbox would fail the run without a handler and count it.
  if (!Object.hasOwn(state.providers, key.provider)) {
    throw new WebhookError('unknown_provider', `no provider named "${key.provider.slice(0, 100)}" in this inbox, so it cannot run ${reason === 'replay' ? 'a replay' : 'a retry'}; ask an inbox configured with it`)
  }
  if (!(await state.store.requeue(key, { now: state.now(), reason }))) {
    const stored = await state.store.get(key)
    return { status: stored?.status === 'processing' ? 'running' : 'missing' }
  }
  const outcome = await runTaken(state, key)
  if (outcome === undefined || outcome.status === 'lost' || outcome.status === 'released') return { status: 'taken' }
  return outcome.status === 'processed' ? { status: 'processed' } : outcome
}

/** Queue mode on Workers: the runtime keeps the isolate alive until the work settles. */
const deferTo =
  (ctx: ExecutionContextLike): Defer =>
  (work) =>
    ctx.waitUntil(work())

/** The path's last non-empty segment, without building a URL object (or arrays) per delivery. */
function lastSegment(url: string): string {
  // Request.url is absolute: the path starts at the first "/" after "scheme://host".
  const start = url.indexOf('/', url.indexOf('//') + 2)
  if (start === -1) return ''
  let end = url.length
  const query = url.indexOf('?', start)
  if (query !== -1) end = query
  const hash = url.indexOf('#', start)
  if (hash !== -1 && hash < end) end = hash
  while (end > start && url.charCodeAt(end - 1) === 0x2f) end--
  if (end === start) return ''
  const segment = url.slice(url.lastIndexOf('/', end - 1) + 1, end)
  if (!segment.includes('%')) return segment
  try {
    return decodeURIComponent(segment)
  } catch {
    return segment
  }
}

/** createInbox's `ordering`, each `true` resolved to its provider's own function; checked against the store. */
function orderingOf<P extends Providers>({ ordering = {}, providers, store }: InboxOptions<P, Store>): Record<string, OrderingFn | undefined> {
  const resolved: Record<string, OrderingFn | undefined> = {}
  for (const [name, given] of Object.entries(ordering) as [string, true | OrderingFn | undefined][]) {
    if (given === undefined) continue
    const provider = Object.hasOwn(providers, name) ? providers[name] : undefined
    if (provider === undefined) throw new TypeError(`[webhook-inbox] createInbox(): ordering names "${name}", which is not in providers`)
    const fn = given === true ? provider.ordering?.bind(provider) : given
    if (typeof fn !== 'function') throw new TypeError(`[webhook-inbox] createInbox(): ordering: ${name}: true, but ${provider.name} has no ordering of its own; give a function (event) => ({ key, version })`)
    resolved[name] = fn
  }
  const orders = (['hold', 'settle', 'letGo'] as const).every((method) => typeof (store as Partial<OrderedStore>)[method] === 'function')
  if (Object.keys(resolved).length > 0 && !orders) throw new TypeError('[webhook-inbox] createInbox(): ordering needs a store that orders events (hold, settle, letGo); every built-in store does')
  return resolved
}

function positiveInteger(name: string, value: number | undefined, fallback: number, max = Number.MAX_SAFE_INTEGER) {
  const resolved = value ?? fallback
  if (!Number.isInteger(resolved) || resolved < 1 || resolved > max) {
    throw new TypeError(`[webhook-inbox] createInbox(): ${name} must be a whole number from 1 to ${max}`)
  }
  return resolved
}

/**
 * Creates an inbox: verify → claim in the store → run handlers → mark processed
 * or failed → answer. Every error becomes an answer from the DESIGN table; nothing
 * that fails verification reaches the store or a handler.
 */
export function createInbox<P extends Providers, S extends Store = Store>(options: InboxOptions<P, S>): Inbox<P, TransactionOf<S>> {
  const settled = rememberSettled(guardStore(options.store))
  const state: InboxState = {
    store: settled.store,
    ordering: orderingOf(options),
    // Not guarded: a throw in the user's fn must reach the handler unchanged (run-event.ts tells the two apart).
    transaction: (options.store as Partial<TransactionalStore<unknown>>).transaction?.bind(options.store),
    settled: settled.has,
    providers: options.providers,
    handlers: createHandlers(Object.keys(options.providers)),
    mode: options.mode ?? 'deadline',
    // Timers cannot wait longer than 2^31 - 1 ms; a longer lease would abort at once.
    leaseMs: positiveInteger('leaseMs', options.leaseMs, 60_000, 2 ** 31 - 1),
    maxAttempts: positiveInteger('maxAttempts', options.maxAttempts, 10),
    backoff: options.backoff,
    now: options.now ?? Date.now,
    retentionMs: options.retentionMs ?? DEFAULT_RETENTION_MS,
    runs: new Set(),
    active: new Set(),
    pending: new Set(),
    stopping: false,
    closed: false,
    bodyBudget: bodyBudget(positiveInteger('maxBytesInFlight', options.maxBytesInFlight, 64 * 1024 * 1024)),
    bodyTimeoutMs: positiveInteger('bodyTimeoutMs', options.bodyTimeoutMs, 10_000, 2 ** 31 - 1),
    logger: options.logger ?? consoleLogger,
    metrics: createMetrics(),
  }
  for (const [name, provider] of Object.entries(options.providers)) {
    if (provider.ackDeadlineMs !== undefined) positiveInteger(`${name}'s ackDeadlineMs`, provider.ackDeadlineMs, 0, 2 ** 31 - 1)
  }
  if (!(INBOX_MODES as readonly string[]).includes(state.mode)) {
    throw new TypeError(`[webhook-inbox] createInbox(): mode must be one of ${INBOX_MODES.map((m) => `'${m}'`).join(', ')}`)
  }
  // Past this many background runs a queued event is left to the sweeper: it is already
  // stored and due, so a burst costs rows on disk, not unbounded promises in memory.
  let background = 0
  const inProcess: Defer = (work) => {
    if (background >= QUEUE_CONCURRENCY) return
    background++
    const done = () => void background--
    track(state, work().then(done, done))
  }

  const inbox: Inbox<P, TransactionOf<S>> = {
    on(provider, type, handler, options) {
      state.handlers.on(provider, type, handler as Handler<unknown, unknown>, options)
      return inbox
    },
    onAny(handler, options) {
      state.handlers.onAny(handler as Handler<unknown, unknown>, options)
      return inbox
    },
    onError(handler) {
      state.handlers.onError(handler)
      return inbox
    },
    onDeadLetter(handler) {
      state.handlers.onDeadLetter(handler)
      return inbox
    },
    fetch: (request, _env, ctx) =>
      receive(state, lastSegment(request.url), request, ctx ? deferTo(ctx) : inProcess),
    routes() {
      const app = new Hono()
      app.all('/:provider', (c) => {
        let defer = inProcess
        try {
          // Hono throws when asked for an execution context it was not given (Node).
          defer = deferTo(c.executionCtx)
        } catch {}
        return receive(state, c.req.param('provider'), c.req.raw, defer)
      })
      return app
    },
    sweep: (sweepOptions) => sweep(state, sweepOptions),
    retryDue: (sweepOptions) => sweep(state, sweepOptions),
    scheduled(_controller, _env, ctx) {
      const work = sweepAndPurge(state)
      ctx?.waitUntil(work)
      return work
    },
    startSweeper: (sweeperOptions) => startSweeper(state, sweeperOptions),
    startWorker: (sweeperOptions) => startSweeper(state, sweeperOptions),
    shutdown: (shutdownOptions) => shutdown(state, shutdownOptions),
    replay: (provider, eventId) => requeueAndRun(state, { provider, eventId }, 'replay'),
    retry: (provider, eventId) => requeueAndRun(state, { provider, eventId }, 'retry'),
    retryAll: (status) => state.store.requeueAll(status, state.now()),
    async stats() {
      const now = state.now()
      const { counts, oldestDueAt } = await state.store.stats(now)
      const byStatus = Object.fromEntries(EVENT_STATUSES.map((s) => [s, 0])) as Record<EventStatus, number>
      const byProvider: InboxStats['byProvider'] = {}
      for (const { provider, status, count } of counts) {
        byStatus[status] += count
        ;(byProvider[provider] ??= {})[status] = count
      }
      return { byStatus, byProvider, oldestDueAgeMs: oldestDueAt === null ? null : Math.max(0, now - oldestDueAt), dead: byStatus.dead }
    },
    activity: (since, bucketMs) => state.store.activity(since, bucketMs),
    metrics: () => state.metrics.snapshot(),
    logger: state.logger,
    get: (provider, eventId) => state.store.get({ provider, eventId }),
    list: (filter) => state.store.list(filter),
    purge: (purgeOptions) => purge(state, purgeOptions),
  }
  return inbox
}
