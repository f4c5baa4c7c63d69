import type { EntityVersion, EventMap, OrderedEvent, Provider } from './provider.js'
import type { WebhookError } from './errors.js'

export type Providers = Record<string, Provider<EventMap>>

export type EventsOf<P> = P extends Provider<infer E> ? E : EventMap

/**
 * What a handler receives. `attempt` is 1 on the first run, higher on retries, and
 * starts at 1 again when the event is replayed or revived from the dead letters.
 */
export interface InboxEvent<Payload = unknown> {
  /** The provider instance name (the key in `providers`). */
  provider: string
  id: string
  type: string
  payload: Payload
  attempt: number
  /** True when this run was asked for by a replay (`inbox.replay()`, `webhook-inbox replay`). */
  replay: boolean
  /** When the first delivery was stored (ms). */
  receivedAt: number
}

/** `Tx`: the store's transaction handle (`SqliteTransaction`, `PostgresTransaction`, `MysqlTransaction`); unknown for a store without transactions. */
export interface HandlerContext<Tx = unknown> {
  /** 1 on the first run, higher on retries (the same as `event.attempt`). */
  attempt: number
  /**
   * Aborted when this run's lease runs out (another run may take the event over) or
   * the inbox shuts down; pass it to downstream calls so they stop too.
   */
  signal: AbortSignal
  /**
   * Runs `fn(tx)` in one transaction of the store's own database together with this
   * handler's success record, so its writes happen once: once it commits, the handler
   * never runs again for this event (a replay aside), whatever happens next. A throw in
   * `fn` rolls it all back and fails the handler as usual. It rejects without running `fn`
   * when the run lost its lease (another run took the event over). One call per handler
   * and run; on a store without transactions (D1) it rejects with `transaction_unsupported`.
   */
  transaction<R>(fn: (tx: Tx) => R | Promise<R>): Promise<Awaited<R>>
}

/**
 * Runs for one event. Throwing fails the event (it is retried). Returning a
 * Response or a JSON value makes it the answer to the delivery (Slack
 * interactivity and slash commands need one); the last handler's value wins.
 */
export type Handler<Payload = unknown, Tx = unknown> = (event: InboxEvent<Payload>, ctx: HandlerContext<Tx>) => unknown

/** How `inbox.on()` and `inbox.onAny()` register a handler. */
export interface HandlerOptions {
  /**
   * The handler's identity in the store's success records, unique per inbox: once it has
   * returned for an event, a retry or a takeover of that event skips it (a replay runs it
   * again). Default `on:<provider>:<type>#<n>` or `any#<n>`, n counting registrations of
   * that shape from 1, which changes when registrations are added before it or reordered:
   * name every handler whose effects must not repeat across deploys.
   */
  name?: string
}

/** createInbox's `ordering` for one provider: the entity and version of an event, or undefined to leave it unordered. */
export type OrderingFn<Payload = unknown> = (event: OrderedEvent<Payload>) => EntityVersion | undefined

/** Any payload of provider `P`: what an ordering function for it reads. */
export type PayloadsOf<P> = EventsOf<P>[keyof EventsOf<P>]

export type ErrorHandler = (error: WebhookError, event?: InboxEvent) => void | Promise<void>

/** Called once when an event is dead-lettered, with the error of its last run. */
export type DeadLetterHandler = (event: InboxEvent, error: WebhookError) => void | Promise<void>

/**
 * `deadline` (default): handlers run inline and their result is the answer, unless the
 * provider's delivery deadline comes first: then the stored event is answered 2xx
 * (`accepted`) and the run finishes in the background under its lease.
 * `inline`: the answer always waits for the handlers. `queue`: 202 once stored, handlers
 * in the background.
 */
export const INBOX_MODES = ['deadline', 'inline', 'queue'] as const
export type InboxMode = (typeof INBOX_MODES)[number]
