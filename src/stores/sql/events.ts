import type { ActivityBucket, ClaimResult, EventStatus, EventSummary, ListFilter, OrderedStore, Store, StoredEvent, StoreStats, TransactionalStore } from '../../store.js'
import { isPromise, PART_LENGTH, splitBody } from './body-parts.js'
import { toStored, type EventRow } from './lifecycle.js'

/** A statement's result: better-sqlite3 runs at once and returns it, the other drivers a promise. */
export type Awaitable<T> = T | Promise<T>
type Params = Record<string, unknown>

/**
 * A dialect's statements over sql/lifecycle.ts's conditions and sets, each one statement
 * (or, where the dialect lacks RETURNING, one short transaction). A transition resolves
 * to the number of rows it changed: 1 when its condition held, else 0.
 */
export interface EventStatements {
  /**
   * A body over PART_LENGTH is stored in parts (D1's value limit): `write` stores part
   * `part` ≥ 1 under the body's digest, `read` the parts 1 … count-1 in order. Left out
   * where a body is stored whole (Postgres).
   */
  bodyParts?: {
    write(params: Params): Awaitable<unknown>
    read(digest: string | null, count: number): Awaitable<string[]>
  }
  /** A new row (`queue`: waiting; else leased); false when a row has its id or signed bytes, without raising. */
  insert(params: Params, queue: boolean): Awaitable<boolean>
  /** The row that delivery is for (its signed bytes, else its id), leased or queued when claimable; undefined when not. */
  takeOver(params: Params, queue: boolean): Awaitable<EventRow | undefined>
  take(params: Params): Awaitable<EventRow | undefined>
  takeDue(params: Params & { limit: number }): Awaitable<EventRow[]>
  /** The handler names recorded for (provider, eventId, generation). */
  handled(params: Params): Awaitable<string[]>
  /**
   * One conditional INSERT … SELECT from the event row while HELD by `fence` (and in
   * `generation`); an existing record is kept. Resolves to 1 when the row held, else 0.
   */
  markHandled(params: Params): Awaitable<number>
  complete(params: Params): Awaitable<number>
  fail(params: Params): Awaitable<number>
  release(params: Params): Awaitable<number>
  replay(params: Params): Awaitable<number>
  retry(params: Params): Awaitable<number>
  requeueAll(status: 'failed' | 'dead', now: number): Promise<number>
  /** Deletes the rows' handler records, then the rows (and, with body parts, the orphaned parts); `statuses` is never empty. */
  purge(before: number, statuses: EventStatus[], now: number): Promise<number>
  get(params: Params): Promise<EventRow | undefined>
  list(filter: ListFilter): Promise<EventSummary[]>
  counts(): Promise<StoreStats['counts']>
  oldestDue(now: number): Promise<number | null>
  activity(since: number, bucketMs: number): Promise<ActivityBucket[]>
  /**
   * Runs `body` in one database transaction, with the statements it needs bound to that
   * transaction and `tx`, the user's drizzle handle on it; commits when `body` resolves,
   * rolls back and rethrows when it throws. Left out where the driver has no interactive
   * transactions (D1).
   */
  transaction?<R>(body: (held: HeldStatements, tx: unknown) => Promise<R>): Promise<R>
  /** Ordering per entity (sql/entities.ts), over the event's parameters provider, eventId, fence, now. */
  entities: {
    /** The upsert of the entity's hold: its version when this run holds it now, undefined when it does not. */
    hold(params: Params): Awaitable<{ version: number | null } | undefined>
    /** entities' BLOCKED: when the entity's hold ends, and whether the run still holds its event. */
    blocked(params: Params): Awaitable<{ until: number | null; held: boolean }>
    /** The entity update and then the event's transition (COMPLETED or STALE), in one transaction; 1 when the run held the event. */
    settle(params: Params & { status: 'processed' | 'stale' }): Awaitable<number>
    letGo(params: Params): Awaitable<unknown>
  }
}

/** The statements a handler's transaction runs besides the user's, over markHandled()'s parameters. */
export interface HeldStatements {
  /**
   * Whether the run holding `fence` still holds the event in `generation`, locking its row
   * until the commit (`FOR UPDATE`), so no takeover can start before the commit; SQLite's
   * transaction holds the database's write lock already.
   */
  lock(params: Params): Awaitable<boolean>
  markHandled(params: Params): Awaitable<number>
}

/** What a dialect adds around its statements. */
export interface EventHooks {
  /** Runs before the sweeper's batch take; undefined (no await) when there is nothing to do. */
  beforeTakeDue?(): Promise<void> | undefined
  /** An event may have become due (queued, requeued, released): Postgres wakes other processes' sweepers. */
  madeDue?(): void
}

/** `then` without a tick for a value that is already there, so better-sqlite3's statements run back to back. */
export const andThen = <T, R>(value: Awaitable<T>, next: (value: T) => Awaitable<R>): Awaitable<R> => (isPromise(value) ? value.then(next) : next(value))

/** A new row's state, as the INSERT wrote it: the caller needs no read back. */
function insertedState(queue: boolean, now: number, leaseEndsAt: number) {
  return {
    status: queue ? 'received' : 'processing',
    fence: queue ? 0 : 1,
    fenceBase: 0,
    replay: false,
    replays: 0,
    leaseEndsAt: queue ? null : leaseEndsAt,
    nextAttemptAt: queue ? now : null,
    lastError: null,
    receivedAt: now,
    processedAt: null,
    updatedAt: now,
  } as const
}

/**
 * The event store over one dialect's statements, as createKeys() is for the idempotency
 * keys: the claim, the fenced transitions, body parts, paging, stats and activity written
 * once for SQLite and D1 (sqlite-core/events.ts), Postgres and MySQL. Without `close`:
 * each store closes its own connection.
 */
export function createEvents(
  statements: EventStatements,
  hooks: EventHooks = {},
): Omit<OrderedStore, 'close' | 'onDue'> & Partial<Pick<TransactionalStore<unknown>, 'transaction'>> {
  const { bodyParts } = statements
  const madeDue = <T>(changed: T) => {
    if (changed) hooks.madeDue?.()
    return changed
  }
  const one = async (changed: Awaitable<number>) => (await changed) === 1

  /** The row with its whole body: the first part is in the row, the rest (rarely any) beside it. */
  async function withBody(row: EventRow | undefined): Promise<StoredEvent | undefined> {
    if (row === undefined) return undefined
    const stored = toStored(row)
    if (row.bodyParts > 1 && bodyParts) stored.body = row.body + (await bodyParts.read(row.digest, row.bodyParts)).join('')
    return stored
  }

  async function claim(event: Parameters<Store['claim']>[0], { now, leaseMs, queue = false }: Parameters<Store['claim']>[1]): Promise<ClaimResult> {
    const [first = '', ...rest] = bodyParts && event.body.length > PART_LENGTH ? splitBody(event.body) : [event.body]
    const digest = event.digest ?? null
    if (rest.length > 0 && digest === null) throw new TypeError('store.claim(): a body over one part needs its digest')
    // The parts go first and the row that points at them last. On better-sqlite3 every
    // statement runs synchronously here, inside the caller's group-commit transaction;
    // elsewhere each is a round trip, so the parts are awaited before the row exists.
    const written = rest.map((data, i) => bodyParts!.write({ digest, part: i + 1, data, now }))
    if (written.some(isPromise)) await Promise.all(written)
    const leaseEndsAt = now + leaseMs
    const entity = { entityKey: event.entityKey ?? null, entityVersion: event.entityVersion ?? null }
    const params = { ...event, ...entity, body: first, bodyParts: rest.length + 1, digest, headers: JSON.stringify(event.headers), now, leaseEndsAt }
    // No await between the two statements on better-sqlite3 (then() adds none there): both
    // must run inside the caller's group-commit transaction. Elsewhere each is conditional.
    const taken = await andThen(statements.insert(params, queue), (inserted) => inserted || statements.takeOver(params, queue))
    let result: ClaimResult
    if (taken === true) result = { outcome: queue ? 'queued' : 'claimed', event: { ...event, ...entity, digest, ...insertedState(queue, now, leaseEndsAt) }, inserted: true }
    else {
      const stored = await withBody(taken)
      if (!stored) return { outcome: 'duplicate' }
      result = { outcome: stored.status === 'received' ? 'queued' : 'claimed', event: stored, inserted: false }
    }
    madeDue(result.outcome === 'queued')
    return result
  }

  const transact = statements.transaction
  const transaction: TransactionalStore<unknown>['transaction'] | undefined =
    transact &&
    ((success, fn) =>
      transact(async (held, tx) => {
        const params = { ...success.key, fence: success.fence, handler: success.handler, generation: success.generation, now: success.now }
        if (!(await held.lock(params))) return { held: false }
        const value = await fn(tx)
        // Under the row's lock it cannot be refused; if it were, the user's writes must not commit without it.
        if ((await held.markHandled(params)) !== 1) throw new Error(`store: the success record of ${success.handler} was refused under its row's lock`)
        return { held: true, value }
      }))

  return {
    ...(transaction && { transaction }),
    claim,
    take: async (key, { now, leaseMs }) => withBody(await statements.take({ ...key, now, leaseEndsAt: now + leaseMs })),
    async takeDue({ now, leaseMs, limit, providers }) {
      const before = hooks.beforeTakeDue?.()
      if (before) await before
      const rows = await statements.takeDue({ now, leaseEndsAt: now + leaseMs, limit, providers: JSON.stringify(providers) })
      return Promise.all(rows.map(async (row) => (await withBody(row))!))
    },
    handled: async (key, generation) => statements.handled({ ...key, generation }),
    markHandled: (key, fence, handler, generation, now) => one(statements.markHandled({ ...key, fence, handler, generation, now })),
    complete: (key, fence, now) => one(statements.complete({ ...key, fence, now })),
    fail(key, fence, { error, nextAttemptAt, now }) {
      const status: EventStatus = nextAttemptAt === null ? 'dead' : 'failed'
      return one(statements.fail({ ...key, fence, now, status, error, nextAttemptAt }))
    },
    requeue: async (key, { now, reason }) => madeDue(await one((reason === 'replay' ? statements.replay : statements.retry)({ ...key, now }))),
    requeueAll: async (status, now) => madeDue(await statements.requeueAll(status, now)),
    release: async (key, fence, now, dueAt = now) => madeDue(await one(statements.release({ ...key, fence, now, dueAt }))),
    async hold(key, fence, now) {
      const params = { ...key, fence, now }
      const taken = await statements.entities.hold(params)
      // Postgres returns double precision as a number, SQLite REAL too; MySQL's DOUBLE as well.
      if (taken !== undefined) return { outcome: 'held', version: taken.version }
      const { until, held } = await statements.entities.blocked(params)
      return held ? { outcome: 'busy', until: until ?? now } : { outcome: 'lost' }
    },
    settle: (key, fence, status, now) => one(statements.entities.settle({ ...key, fence, now, status })),
    letGo: async (key, fence, now) => void (await statements.entities.letGo({ ...key, fence, now })),
    purge: async ({ before, statuses, now }) => (statuses.length === 0 ? 0 : statements.purge(before, [...statuses], now)),
    get: async (key) => withBody(await statements.get({ ...key })),
    list: (filter = {}) => statements.list(filter),
    async stats(now) {
      const [counts, oldestDueAt] = await Promise.all([statements.counts(), statements.oldestDue(now)])
      return { counts, oldestDueAt }
    },
    activity: (since, bucketMs) => statements.activity(since, bucketMs),
  }
}
