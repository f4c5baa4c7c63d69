import type { EventStatus, ListFilter, StoredEvent } from '../../store.js'
import { and, eq, gt, gte, inArray, lt, lte, not, or, sql, type Column, type Placeholder, type SQL } from 'drizzle-orm'
import { handlerRuns } from './handler-runs.js'

/** The columns the row lifecycle reads and writes; the SQLite and the pg table both have them. */
export interface LifecycleColumns {
  id: Column
  provider: Column
  eventId: Column
  type: Column
  digest: Column
  status: Column
  fence: Column
  fenceBase: Column
  replay: Column
  replays: Column
  leaseEndsAt: Column
  nextAttemptAt: Column
  lastError: Column
  receivedAt: Column
  processedAt: Column
  updatedAt: Column
  entityKey: Column
  entityVersion: Column
}

const p = (name: string) => sql.placeholder(name)
type Now = number | ReturnType<typeof sql.placeholder>
/** A nullable number as every driver reads it (Postgres returns bigint as a string). */
export const numberOrNull = (value: unknown) => (value === null ? null : Number(value))

/** A placeholder where drizzle's types want an SQL expression (update sets). */
export const v = (name: string) => sql`${sql.placeholder(name)}`

/** What differs per dialect in the lifecycle's statements. */
export interface Dialect {
  /** Substring test (SQLite `instr`, Postgres `strpos`): text matched as typed, with no LIKE wildcards to escape. */
  contains(column: Column, text: string): SQL
  /** `column` is one of the strings of a JSON array passed as one parameter: a prepared statement takes any number of them. */
  inJsonArray(column: Column, array: Placeholder): SQL
}

/**
 * The row lifecycle's conditions and transitions, once for every dialect, over named
 * parameters: provider, eventId, now, fence, leaseEndsAt, providers (a JSON array).
 */
export function lifecycle<T extends LifecycleColumns>(t: T, { contains, inJsonArray }: Dialect) {
  const KEY = and(eq(t.provider, p('provider')), eq(t.eventId, p('eventId')))!
  /** A run that died: its row is still `processing` but the lease has run out. */
  const leaseExpiredAt = (now: Now) => and(eq(t.status, 'processing'), lte(t.leaseEndsAt, now))!
  /** Waiting or failed and its time has come, or abandoned by a run that died. */
  const dueAt = (now: Now) => or(and(inArray(t.status, ['received', 'failed']), lte(t.nextAttemptAt, now)), leaseExpiredAt(now))!
  const LEASE_EXPIRED = leaseExpiredAt(p('now'))
  const HELD = and(KEY, eq(t.status, 'processing'), eq(t.fence, p('fence')))!
  const WAITING = { status: 'received', nextAttemptAt: v('now'), leaseEndsAt: null, updatedAt: v('now') } as const
  return {
    KEY,
    LEASE_EXPIRED,
    dueAt,
    DUE: dueAt(p('now')),
    /** Due, and of a provider the sweeper asking has: another inbox on the store may run providers this one lacks. */
    DUE_HERE: and(dueAt(p('now')), inJsonArray(t.provider, p('providers')))!,
    /** The lease of the claim holding fence `fence`: every transition out of processing is fenced by it. */
    HELD,
    /** A claim's new row: leased to the caller at once, or (`queue`) waiting, due now. */
    inserted: (queue: boolean) =>
      ({
        provider: p('provider'),
        eventId: p('eventId'),
        type: p('type'),
        body: p('body'),
        digest: p('digest'),
        headers: p('headers'),
        status: queue ? 'received' : 'processing',
        fence: queue ? 0 : 1,
        leaseEndsAt: queue ? null : p('leaseEndsAt'),
        nextAttemptAt: queue ? p('now') : null,
        receivedAt: p('now'),
        updatedAt: p('now'),
        entityKey: p('entityKey'),
        entityVersion: p('entityVersion'),
      }) as const,
    /**
     * The row a delivery that inserted nothing is for: the one with its signed bytes
     * (whatever id it carries), else the one with its id. Pick it with `.orderBy(DIGEST_FIRST).limit(1)`.
     */
    MATCHED: and(eq(t.provider, p('provider')), or(eq(t.digest, p('digest')), eq(t.eventId, p('eventId'))))!,
    // A CASE, not `digest = :digest DESC`: the comparison is NULL for a row without a digest, and Postgres sorts NULL first.
    DIGEST_FIRST: sql`CASE WHEN ${t.digest} = ${p('digest')} THEN 0 ELSE 1 END`,
    /** What a claim may take over: waiting, failed or abandoned (a queue claim only failed or abandoned). */
    claimable: (queue: boolean) => or(queue ? eq(t.status, 'failed') : inArray(t.status, ['received', 'failed']), LEASE_EXPIRED)!,
    /** The longest waiting first. */
    DUE_ORDER: sql`coalesce(${t.nextAttemptAt}, ${t.leaseEndsAt})`,
    LEASE: { status: 'processing', fence: sql`${t.fence} + 1`, leaseEndsAt: v('leaseEndsAt'), updatedAt: v('now') } as const,
    WAITING,
    /** Restarts the maxAttempts count; the fence itself only grows, as it shuts out stale runs. */
    REQUEUED: { ...WAITING, fenceBase: sql`${t.fence}` } as const,
    /** What a retry takes: a failed or dead event, given a fresh count of runs. */
    RETRYABLE: and(KEY, inArray(t.status, ['failed', 'dead']))!,
    /** Every column but the key, the body and the headers. */
    STATE: {
      type: t.type,
      digest: t.digest,
      status: t.status,
      fence: t.fence,
      fenceBase: t.fenceBase,
      replay: t.replay,
      replays: t.replays,
      leaseEndsAt: t.leaseEndsAt,
      nextAttemptAt: t.nextAttemptAt,
      lastError: t.lastError,
      receivedAt: t.receivedAt,
      processedAt: t.processedAt,
      updatedAt: t.updatedAt,
      entityKey: t.entityKey,
      entityVersion: t.entityVersion,
    } as { [K in Exclude<keyof LifecycleColumns, 'provider' | 'eventId'>]: T[K] },
    /** The fenced transitions' sets, as written by complete(), fail() and release(). */
    COMPLETED: { status: 'processed', processedAt: v('now'), leaseEndsAt: null, nextAttemptAt: null, replay: false, updatedAt: v('now') } as const,
    // A failed run settles a replay as complete() does: the replay was run, and its retries are ordinary runs.
    FAILED: { status: v('status'), lastError: v('error'), nextAttemptAt: v('nextAttemptAt'), leaseEndsAt: null, replay: false, updatedAt: v('now') } as const,
    RELEASED: { ...WAITING, nextAttemptAt: v('dueAt'), fence: sql`${t.fence} - 1` } as const,
    /** An ordered event older than its entity's highest processed version: settled without a run. */
    STALE: { status: 'stale', processedAt: v('now'), leaseEndsAt: null, nextAttemptAt: null, replay: false, updatedAt: v('now') } as const,
    REPLAYED: { ...WAITING, fenceBase: sql`${t.fence}`, replay: true, replays: sql`${t.replays} + 1` } as const,
    /** A replay may not start while a run holds a live lease. */
    REPLAYABLE: and(KEY, or(sql`${t.status} <> 'processing'`, LEASE_EXPIRED))!,
    /** What purge() deletes: events in `statuses` last updated before `before`, but none a run holds a live lease on at `now`. */
    purgeable: (statuses: EventStatus[], before: number, now: number) =>
      and(inArray(t.status, statuses), lt(t.updatedAt, before), not(and(eq(t.status, 'processing'), gt(t.leaseEndsAt, now))!))!,
    ...reads(t, contains),
    ...handlerRuns(t, HELD),
    /** requeueAll(): dead ones get a fresh count, failed ones skip their backoff. */
    requeuedAll: (status: 'failed' | 'dead', now: number) =>
      status === 'dead' ? { status: 'received', fenceBase: sql`${t.fence}`, nextAttemptAt: now, updatedAt: now } as const : { nextAttemptAt: now, updatedAt: now },
  }
}

/** What list(), stats() and activity() select by: the reads beside the lifecycle. */
function reads<T extends LifecycleColumns>(t: T, contains: Dialect['contains']) {
  return {
    /** list()'s filter: every field given narrows the result. */
    listed(filter: ListFilter) {
      const conditions: SQL[] = []
      if (filter.provider !== undefined) conditions.push(eq(t.provider, filter.provider))
      if (filter.eventId !== undefined) conditions.push(eq(t.eventId, filter.eventId))
      if (filter.status !== undefined) conditions.push(eq(t.status, filter.status))
      if (filter.since !== undefined) conditions.push(gte(t.receivedAt, filter.since))
      if (filter.q) conditions.push(or(contains(t.eventId, filter.q), contains(t.type, filter.q))!)
      if (filter.before !== undefined) {
        // The order's tie-breaker is the row id, which callers never see: it is looked up by key.
        const { receivedAt, provider, eventId } = filter.before
        const id = sql`(SELECT ${t.id} FROM ${t.id.table} WHERE ${t.provider} = ${provider} AND ${t.eventId} = ${eventId})`
        conditions.push(or(lt(t.receivedAt, receivedAt), and(eq(t.receivedAt, receivedAt), sql`${t.id} < ${id}`))!)
      }
      return and(...conditions)
    },
    /** The dashboard's chart: a row's bucket start. Not a division: `%` truncates in every dialect. */
    bucketStart(bucketMs: number) {
      if (!Number.isSafeInteger(bucketMs) || bucketMs < 1) throw new TypeError('activity(): bucketMs must be a whole number of ms from 1')
      // A literal, not a parameter: Postgres matches GROUP BY and SELECT expressions by
      // their text, and two parameters are two different expressions to it.
      const size = sql.raw(String(bucketMs))
      return sql<number>`${t.receivedAt} - (${t.receivedAt} % ${size})`.mapWith(Number)
    },
    /** A count, as a number in every dialect (Postgres returns bigint as a string). */
    COUNT: sql<number>`count(*)`.mapWith(Number),
    /** When the longest-waiting of the rows selected became due. */
    OLDEST_DUE: sql<number | null>`min(coalesce(${t.nextAttemptAt}, ${t.leaseEndsAt}))`.mapWith(numberOrNull),
  }
}

/** A row as every dialect reads it: with the row id and the part count, headers as JSON text. */
export type EventRow = Omit<StoredEvent, 'headers'> & { id: number; bodyParts: number; headers: string }

/** A row as the Store interface returns it: without the row id and the part count, headers parsed. */
export function toStored({ id: _id, bodyParts: _parts, headers, ...row }: EventRow): StoredEvent {
  return { ...row, headers: JSON.parse(headers) as Record<string, string> }
}
