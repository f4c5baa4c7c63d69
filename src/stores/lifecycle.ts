import type { ListFilter, StoredEvent } from './types.js'
import { and, eq, gt, gte, inArray, lte, or, sql, type Column, type SQL } from 'drizzle-orm'

/** The columns the row lifecycle reads and writes; the SQLite and the pg table both have them. */
export interface LifecycleColumns {
  provider: Column
  eventId: Column
  type: Column
  digest: Column
  status: Column
  attempts: Column
  attemptBase: Column
  replay: Column
  replays: Column
  lockedUntil: Column
  nextAttemptAt: Column
  lastError: Column
  receivedAt: Column
  processedAt: Column
  updatedAt: Column
}

const p = (name: string) => sql.placeholder(name)
/** A placeholder where drizzle's types want an SQL expression (update sets). */
export const v = (name: string) => sql`${sql.placeholder(name)}`

/**
 * The row lifecycle's conditions and transitions, once for every dialect, over named
 * parameters: provider, eventId, now, attempt, lockedUntil.
 */
export function lifecycle<T extends LifecycleColumns>(t: T) {
  const KEY = and(eq(t.provider, p('provider')), eq(t.eventId, p('eventId')))!
  /** A run that died: its row is still `processing` but the lease has run out. */
  const LEASE_EXPIRED = and(eq(t.status, 'processing'), lte(t.lockedUntil, p('now')))!
  const WAITING = { status: 'received', nextAttemptAt: v('now'), lockedUntil: null, updatedAt: v('now') } as const
  return {
    KEY,
    LEASE_EXPIRED,
    /** Waiting or failed and its time has come, or abandoned by a run that died. */
    DUE: or(and(inArray(t.status, ['received', 'failed']), lte(t.nextAttemptAt, p('now'))), LEASE_EXPIRED)!,
    /** The lease of the claim holding attempt `attempt`: every transition out of processing is fenced by it. */
    HELD: and(KEY, eq(t.status, 'processing'), eq(t.attempts, p('attempt')))!,
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
        attempts: queue ? 0 : 1,
        lockedUntil: queue ? null : p('lockedUntil'),
        nextAttemptAt: queue ? p('now') : null,
        receivedAt: p('now'),
        updatedAt: p('now'),
      }) as const,
    /** What a claim may take over: waiting, failed or abandoned (a queue claim only failed or abandoned). */
    claimable: (queue: boolean) => or(queue ? eq(t.status, 'failed') : inArray(t.status, ['received', 'failed']), LEASE_EXPIRED)!,
    /** The longest waiting first. */
    DUE_ORDER: sql`coalesce(${t.nextAttemptAt}, ${t.lockedUntil})`,
    LEASE: { status: 'processing', attempts: sql`${t.attempts} + 1`, lockedUntil: v('lockedUntil'), updatedAt: v('now') } as const,
    WAITING,
    /** Restarts the maxAttempts count; attempts itself only grows, as it fences stale runs. */
    REQUEUED: { ...WAITING, attemptBase: sql`${t.attempts}` } as const,
    /** Every column but the key, the body and the headers. */
    STATE: {
      type: t.type,
      digest: t.digest,
      status: t.status,
      attempts: t.attempts,
      attemptBase: t.attemptBase,
      replay: t.replay,
      replays: t.replays,
      lockedUntil: t.lockedUntil,
      nextAttemptAt: t.nextAttemptAt,
      lastError: t.lastError,
      receivedAt: t.receivedAt,
      processedAt: t.processedAt,
      updatedAt: t.updatedAt,
    } as { [K in Exclude<keyof LifecycleColumns, 'provider' | 'eventId'>]: T[K] },
    /** The fenced transitions' sets, as written by complete(), fail() and release(). */
    COMPLETED: { status: 'processed', processedAt: v('now'), lockedUntil: null, nextAttemptAt: null, replay: false, updatedAt: v('now') } as const,
    // A failed run settles a replay as complete() does: the replay was run, and its retries are ordinary runs.
    FAILED: { status: v('status'), lastError: v('error'), nextAttemptAt: v('nextAttemptAt'), lockedUntil: null, replay: false, updatedAt: v('now') } as const,
    RELEASED: { ...WAITING, attempts: sql`${t.attempts} - 1` } as const,
    REPLAYED: { ...WAITING, attemptBase: sql`${t.attempts}`, replay: true, replays: sql`${t.replays} + 1` } as const,
    /** A replay may not start while a run holds a live lease. */
    REPLAYABLE: and(KEY, or(sql`${t.status} <> 'processing'`, LEASE_EXPIRED))!,
    /** A run holds a live lease at `now`: purge() leaves the row alone. */
    live: (now: number) => and(eq(t.status, 'processing'), gt(t.lockedUntil, now))!,
    /** list()'s filter: every field given narrows the result. */
    listed(filter: ListFilter) {
      const conditions: SQL[] = []
      if (filter.provider !== undefined) conditions.push(eq(t.provider, filter.provider))
      if (filter.eventId !== undefined) conditions.push(eq(t.eventId, filter.eventId))
      if (filter.status !== undefined) conditions.push(eq(t.status, filter.status))
      if (filter.since !== undefined) conditions.push(gte(t.receivedAt, filter.since))
      return and(...conditions)
    },
    /** requeueAll(): dead ones get a fresh count, failed ones skip their backoff. */
    requeuedAll: (status: 'failed' | 'dead', now: number) =>
      status === 'dead' ? { status: 'received', attemptBase: sql`${t.attempts}`, nextAttemptAt: now, updatedAt: now } as const : { nextAttemptAt: now, updatedAt: now },
  }
}

/** A row as the Store interface returns it: without the row id and the part count, headers parsed. */
export function toStored({ id: _id, bodyParts: _parts, headers, ...row }: Omit<StoredEvent, 'headers'> & { id: number; bodyParts: number; headers: string }): StoredEvent {
  return { ...row, headers: JSON.parse(headers) as Record<string, string> }
}
