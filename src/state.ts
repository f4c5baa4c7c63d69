import type { BodyBudget } from './body-budget.js'
import type { Logger } from './logger.js'
import type { Metrics } from './metrics.js'
import type { InboxMode, Providers } from './types.js'
import type { createHandlers } from './handlers.js'
import type { BackoffOptions } from './retry.js'
import type { EventKey, OrderedStore, Store, TransactionalStore } from './store.js'
import type { OrderingFn } from './types.js'

/** Tells a run apart from a lease timeout: the inbox is stopping, so give the lease back. */
export class ShutdownSignal extends Error {
  override readonly name = 'ShutdownSignal'
}

/** Everything the pipeline modules share; built once by `createInbox`. */
export interface InboxState {
  store: Store & Partial<OrderedStore>
  /** Per provider name, the entity and version of its events; the store is an OrderedStore whenever this is not empty. */
  ordering: Record<string, OrderingFn | undefined>
  /** The store's handler transactions, when it has them (not D1). */
  transaction: TransactionalStore<unknown>['transaction'] | undefined
  /** Whether this process saw the event settle: a redelivery is answered without the store (see settled-keys). */
  settled: (key: EventKey, digest: string) => boolean
  providers: Providers
  handlers: ReturnType<typeof createHandlers>
  mode: InboxMode
  leaseMs: number
  maxAttempts: number
  backoff: BackoffOptions | undefined
  now: () => number
  /** Processed events older than this are purged by the sweeper and by `scheduled`. */
  retentionMs: number
  /** The handler runs in progress, stopped by `shutdown()`. */
  runs: Set<{ stop(reason: ShutdownSignal): void }>
  /**
   * Events whose handlers have not returned in this process, including runs abandoned
   * when their lease ran out: a process never runs two copies of one event at once.
   */
  active: Set<string>
  /** Background work started here (queue mode on Node, sweeper passes); awaited by `shutdown()`. */
  pending: Set<Promise<unknown>>
  stopping: boolean
  /** `shutdown()` closed the store: a run abandoned after that leaves its row to the next process. */
  closed: boolean
  /** Raw body bytes being read or verified at once, across deliveries. */
  bodyBudget: BodyBudget
  bodyTimeoutMs: number
  logger: Logger
  /** This process's delivery and run counters, served by the dashboard's /metrics. */
  metrics: Metrics
}

/** Remembers work until it settles; never creates a promise that could reject unhandled. */
export function track(state: InboxState, work: Promise<unknown>) {
  state.pending.add(work)
  const forget = () => void state.pending.delete(work)
  work.then(forget, forget)
}
