import type { EVENT_STATUSES, KEY_STATUSES } from './statuses.js'

/*
 * The store's words, one per concept:
 * - lease: a run's hold on an event, from its claim or take until `leaseEndsAt`; a run
 *   whose lease ran out died, and its event is due again.
 * - fence: the store's token for one lease, a number that grows with every lease
 *   (`StoredEvent.fence`). complete(), fail() and release() name it, and only the run
 *   holding that lease may move the event on.
 * - attempt: the user's run number, `event.attempt` (`fence - fenceBase`), counted
 *   against `maxAttempts`; never the store's token.
 * - due: waiting or failed whose `nextAttemptAt` has come, or a lease that ran out.
 * - replay: run a stored event again on purpose, whatever its status (dedupe bypassed).
 * - retry: give a failed or dead event a fresh set of `maxAttempts` runs.
 * - generation: an event's `replays` when a run started; a handler's success record
 *   holds for its generation, so a replay runs every handler again and a retry does not.
 */

/**
 * `received` (stored, waiting for a run at `nextAttemptAt`) → `processing` (one run
 * holds the lease until `leaseEndsAt`) → `processed`; or `failed` (runs again at
 * `nextAttemptAt`) → … → `dead` after `maxAttempts`. A `processing` row whose lease
 * ran out is due again: its process died. `stale`: an ordered event older than one of
 * its entity already processed, settled without running its handlers.
 */
export type EventStatus = (typeof EVENT_STATUSES)[number]

export interface EventKey {
  provider: string
  eventId: string
}

export interface NewEvent extends EventKey {
  type: string
  body: string
  headers: Record<string, string>
  /**
   * SHA-256 (hex) of the signed bytes: a second dedupe key, so the same signed body
   * under another id is a duplicate too. Omitted where only the id is to dedupe on.
   */
  digest?: string | null
  /** The entity the event is about (createInbox's `ordering`); null or omitted when unordered. */
  entityKey?: string | null
  /** How new the event is for its entity: an event below the entity's highest processed version is stale. */
  entityVersion?: number | null
}

export interface StoredEvent extends NewEvent {
  digest: string | null
  entityKey: string | null
  entityVersion: number | null
  status: EventStatus
  /** The current (or last) lease's token: it only grows, so a stale run's writes are refused. */
  fence: number
  /** `fence` at the last purposeful requeue (replay, retry); runs since then are `fence - fenceBase`. */
  fenceBase: number
  /** The next (or current) run was asked for by a replay; cleared when that run ends, whether it succeeds or fails. */
  replay: boolean
  replays: number
  /** When the running lease ends (ms); null unless `processing`. */
  leaseEndsAt: number | null
  nextAttemptAt: number | null
  lastError: string | null
  receivedAt: number
  processedAt: number | null
  updatedAt: number
}

/**
 * `claimed`: this caller holds the lease with fence `event.fence` (a new row, a
 * waiting or failed one, or one whose lease ran out). `queued` (queue claims only):
 * stored as `received`, to be run by `take()`. `duplicate`: processed, dead, queued,
 * or in flight under a live lease; the caller must not run handlers.
 *
 * `inserted`: true when this claim stored the event. False when it took over a row
 * stored before: the row with the same digest (the same signed bytes, whatever id they
 * came with), else the row with the same key. `event` is then that row as stored, with
 * its own key, type, body and headers, and the run must use those, never the delivery's.
 */
export type ClaimResult = { outcome: 'claimed' | 'queued'; event: StoredEvent; inserted: boolean } | { outcome: 'duplicate' }

export interface ClaimOptions {
  now: number
  leaseMs: number
  /** Store for a later run (`received`) instead of leasing it to the caller now. */
  queue?: boolean
}

/**
 * What `list()` returns: the row's state without its body and headers, so listing
 * many large events reads only their small columns.
 */
export type EventSummary = Omit<StoredEvent, 'body' | 'headers'>

/** Every field narrows the result; a missing one does not filter. */
export interface ListFilter {
  provider?: string
  /** One event by id (with `provider`, at most one row): lets a poller watch an event without reading its body. */
  eventId?: string
  status?: EventStatus
  /** Received at or after this time (ms). */
  since?: number
  /** Events whose id or type contains this text. */
  q?: string
  /**
   * Keyset paging: only events listed after this one (older, or as old and stored
   * earlier), so a page costs the same however deep it is. Pass the last row of a page.
   */
  before?: { receivedAt: number } & EventKey
  limit?: number
}

/** What `stats()` counts, in one pass the dashboard caches briefly. */
export interface StoreStats {
  /** Events per (provider, status); combinations without events are left out. */
  counts: { provider: string; status: EventStatus; count: number }[]
  /** When the longest-waiting due event became due (ms), or null when none is due. */
  oldestDueAt: number | null
}

/** Events received per time bucket, by their status now: the dashboard's chart. */
export interface ActivityBucket {
  /** The bucket's start (ms), a multiple of `bucketMs`. */
  start: number
  status: EventStatus
  count: number
}

/** Why an event is queued again: `replay` (run it again, whatever its status) or `retry` (a failed or dead one, with fresh runs). */
export type RequeueReason =
  | 'replay'
  | 'retry'
  /** @deprecated use 'retry' */
  | 'revive'

/**
 * Where events live. Every method returns a Promise so one conformance suite
 * covers sync drivers (better-sqlite3) and async ones (D1) alike. Every write is
 * one conditional statement, so two processes can never both own an event.
 */
export interface Store {
  /**
   * Inserts the event; or, when a row of the same provider has its digest (else its
   * key), takes that row over if it is waiting, failed or its lease ran out (see
   * `ClaimResult.inserted`); else `duplicate`. Atomic, and a duplicate raises no error
   * in the database (no unique violation is logged).
   */
  claim(event: NewEvent, options: ClaimOptions): Promise<ClaimResult>
  /** Leases one due event (waiting or failed with `nextAttemptAt` ≤ now, or lease expired) to the caller, under the next fence. */
  take(key: EventKey, options: { now: number; leaseMs: number }): Promise<StoredEvent | undefined>
  /**
   * Leases up to `limit` due events of the named `providers` at once, the longest
   * waiting first, each under its next fence (what `take()` does for one key): the
   * sweeper's batch. Two callers never get the same event, and events of other
   * providers are left for an inbox that has them (a rolling deploy).
   */
  takeDue(options: { now: number; leaseMs: number; limit: number; providers: readonly string[] }): Promise<StoredEvent[]>
  /** The handlers recorded as returned for the event in `generation` (its `replays`), in no particular order. */
  handled(key: EventKey, generation: number): Promise<string[]>
  /**
   * Records that `handler` returned for the event in `generation`, only while the run
   * holding `fence` still holds the lease (one conditional statement); false when it does
   * not. Calling it again for a recorded handler changes nothing and returns true.
   */
  markHandled(key: EventKey, fence: number, handler: string, generation: number, now: number): Promise<boolean>
  /** Marks the run holding `fence` processed; false when its lease no longer holds the row. */
  complete(key: EventKey, fence: number, now: number): Promise<boolean>
  /** Marks the run holding `fence` failed (runs again at `nextAttemptAt`) or, with `nextAttemptAt: null`, dead. */
  fail(key: EventKey, fence: number, failure: { error: string; nextAttemptAt: number | null; now: number }): Promise<boolean>
  /**
   * Queues a stored event to run again, due now, whatever its status, unless a run
   * holds a live lease on it: as a replay (dedupe bypassed on purpose), or to give a
   * failed or dead event a fresh set of `maxAttempts` runs (`retry`; any other status
   * is left alone). False when nothing was queued: running, unknown, or not retryable.
   */
  requeue(key: EventKey, options: { now: number; reason: RequeueReason }): Promise<boolean>
  /** Makes every event in `status` due now (failed: skip the backoff; dead: retry); returns how many. */
  requeueAll(status: 'failed' | 'dead', now: number): Promise<number>
  /**
   * Gives the lease holding `fence` back unfinished (shutdown, or its entity is busy): the
   * event waits again, due at `dueAt` (default `now`), and the run is not counted.
   */
  release(key: EventKey, fence: number, now: number, dueAt?: number): Promise<boolean>
  /**
   * Deletes events in `statuses` last updated before `before` (ms), except one a run
   * holds a live lease on at `now`, with their handlers' success records; returns how many.
   */
  purge(options: { before: number; statuses: readonly EventStatus[]; now: number }): Promise<number>
  /** The whole event, body and headers included. */
  get(key: EventKey): Promise<StoredEvent | undefined>
  /** Summaries (no body, no headers), newest first. */
  list(filter?: ListFilter): Promise<EventSummary[]>
  /** Counts by provider and status (GROUP BY, no counter rows), and the oldest due time at `now`. */
  stats(now: number): Promise<StoreStats>
  /** Events received at or after `since`, counted per `bucketMs` and current status. */
  activity(since: number, bucketMs: number): Promise<ActivityBucket[]>
  close(): Promise<void>
  /**
   * Calls `listener` when an event may have become due (queued, requeued, released),
   * by any process sharing the store, so a sweeper need not wait for its next poll.
   * Stores without cross-process notifications leave it out. Returns the unsubscribe.
   */
  onDue?(listener: () => void): () => void
}

/** One handler's success, as its transaction records it beside the handler's own writes. */
export interface HandlerSuccess {
  key: EventKey
  /** The run's lease: the transaction commits only while that run still holds the event. */
  fence: number
  handler: string
  /** The event's `replays` when the run started (see `generation` above). */
  generation: number
  now: number
}

/** A transaction that ran only because a lease or a key was still held; `held: false` when it was not and nothing ran. */
export type Held<R> = { held: true; value: R } | { held: false }

/**
 * A store whose database also holds the user's own tables: `sqliteStore()`,
 * `postgresStore()`, `mysqlStore()` (not `d1Store()`: D1 has no interactive transactions).
 */
export interface TransactionalStore<Tx> extends Store {
  /**
   * Runs `fn(tx)` and records `success` (what `markHandled` writes) in one database
   * transaction; `tx` is a drizzle handle on the store's own database. The event's row is
   * locked first: when the run holding `success.fence` no longer holds the lease, `fn` does
   * not run and it resolves `{ held: false }`. A throw in `fn` rolls everything back and
   * rejects with that error, unchanged.
   */
  transaction<R>(success: HandlerSuccess, fn: (tx: Tx) => R | Promise<R>): Promise<Held<Awaited<R>>>
}

/**
 * What `hold()` found: `held`, with the entity's highest processed version (null when none
 * was processed yet); `busy` while a run of another event of the entity holds it, until
 * that run's lease ends at `until` at the latest; `lost` when the run no longer holds its event.
 */
export type HoldResult = { outcome: 'held'; version: number | null } | { outcome: 'busy'; until: number } | { outcome: 'lost' }

/**
 * A store that orders events per entity (createInbox's `ordering`): one run per entity at
 * a time across processes, and each entity's highest processed version (the
 * `webhook_entities` table, purged with the events).
 */
export interface OrderedStore extends Store {
  /**
   * Takes the entity of the event the run holding `fence` runs (its `entityKey`), until that
   * run's lease ends or it lets go; one conditional statement, so of two runs of one entity,
   * in any processes, one holds it. A run of the same event under a later fence takes it over.
   */
  hold(key: EventKey, fence: number, now: number): Promise<HoldResult>
  /**
   * Ends the run holding `fence` as `processed` (raising its entity's version to the event's
   * when higher) or `stale`, and lets the entity go, in one transaction; false when the
   * lease no longer holds the event.
   */
  settle(key: EventKey, fence: number, status: 'processed' | 'stale', now: number): Promise<boolean>
  /** Lets the entity go after the run holding `fence` failed or gave its lease back; a no-op when it holds none. */
  letGo(key: EventKey, fence: number, now: number): Promise<void>
}

/** The transaction handle of store `S`: what its `transaction(fn)` hands `fn`; unknown for a store without transactions. */
export type TransactionOf<S> = S extends TransactionalStore<infer Tx> ? Tx : unknown

/** `running`: a request holds the key (its lock may run out before `expiresAt`); `completed`: its response is kept until `expiresAt`. */
export type KeyStatus = (typeof KEY_STATUSES)[number]

export interface KeyId {
  /** '' when the keys are not scoped. */
  scope: string
  key: string
}

export interface KeyRequest extends KeyId {
  /** SHA-256 (hex) over method, path with query and raw body. */
  fingerprint: string
  method: string
  path: string
}

/** What is replayed: the status, the headers that describe the body, and the body's exact bytes. */
export interface StoredResponse {
  status: number
  headers: Record<string, string>
  body: Uint8Array
}

export interface KeySummary extends KeyRequest {
  status: KeyStatus
  /** When the key is forgotten and may be used for any request: the end of its TTL, running or completed. */
  expiresAt: number
  responseStatus: number | null
  createdAt: number
  updatedAt: number
}

export interface KeyRecord extends KeySummary {
  response: StoredResponse | null
}

/**
 * `started`: the caller holds the key (new, forgotten, or taken over by the same request
 * from a run whose lock ran out) and must `finish` or `release` it with `token`.
 * `replay`: completed with the same fingerprint. `in_flight`: another run holds it.
 * `mismatch`: until the key's TTL ends, it belongs to another request, whether that
 * request completed, runs, or died (checked before the status and the lock).
 */
export type BeginResult =
  | { outcome: 'started'; token: string }
  | { outcome: 'replay'; response: StoredResponse }
  | { outcome: 'in_flight' }
  | { outcome: 'mismatch' }

/**
 * The Idempotency-Key table, beside the events (a store that has it exposes it as
 * `store.keys`), so a custom `Store` need not implement it. Each write is one
 * conditional statement, so concurrent requests are decided by the database, across
 * processes.
 */
export interface IdempotencyKeys {
  /** Takes the key for this request, or says why not; the run holds it until `now + lockMs`, and the key is this request's until `now + ttl`. */
  begin(request: KeyRequest, options: { now: number; lockMs: number; ttl: number }): Promise<BeginResult>
  /** Stores the response and keeps it until `now + ttl`; false when `token` no longer holds the key. */
  finish(id: KeyId, token: string, response: StoredResponse, options: { now: number; ttl: number }): Promise<boolean>
  /** Forgets a running key (the handler failed): the next request with it runs anew; false when `token` no longer holds it. */
  release(id: KeyId, token: string): Promise<boolean>
  get(id: KeyId): Promise<KeyRecord | undefined>
  /** Newest first, without response bodies; `key` alone finds every scope that holds that key. */
  list(filter?: { scope?: string; key?: string; status?: KeyStatus; limit?: number }): Promise<KeySummary[]>
  /** Deletes up to `limit` keys past their TTL at `now`, never one that is not expired when it is deleted; returns how many. */
  purge(options: { now: number; limit: number }): Promise<number>
}

/** The key a request holds, and how long its answer is kept: what `TransactionalKeys.transaction` stores the answer under. */
export interface KeyHold {
  id: KeyId
  token: string
  now: number
  ttl: number
}

/** Idempotency keys in a database that also holds the user's own tables (not D1). */
export interface TransactionalKeys<Tx> extends IdempotencyKeys {
  /**
   * Runs `fn(tx)` in one database transaction and stores what `answer` makes of its
   * result as the key's response (what `finish` writes) before the commit. With
   * `answer` resolving undefined (an answer that is not kept) the transaction rolls back
   * and the key is released. Without `hold` it is only a transaction. When `hold.token`
   * no longer holds the key, `fn` does not run and it resolves `{ held: false }`. A throw
   * in `fn` or `answer` rolls back and rejects with that error, unchanged.
   */
  transaction<R>(hold: KeyHold | undefined, fn: (tx: Tx) => R | Promise<R>, answer: (value: Awaited<R>) => Promise<StoredResponse | undefined>): Promise<Held<Awaited<R>>>
}

/** A store that also keeps idempotency keys: `sqliteStore()`, `d1Store()`, `postgresStore()`, `mysqlStore()`. */
export interface KeyStore {
  readonly keys: IdempotencyKeys
}
