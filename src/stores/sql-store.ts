import { and, asc, desc, eq, gte, inArray, lt, lte, or, sql, type SQL } from 'drizzle-orm'
import type { BaseSQLiteDatabase } from 'drizzle-orm/sqlite-core'
import { webhookEvents as t } from './schema.js'
import type { ClaimResult, EventKey, ListFilter, Store, StoredEvent } from './types.js'

// Shared by the better-sqlite3 (sync) and D1 (async) drivers: drizzle queries are
// awaitable on both, so the statements are written once.
// `any`: the run-result type differs per driver and no statement here reads it.
type AnySqliteDb = BaseSQLiteDatabase<'sync' | 'async', any>

type Row = typeof t.$inferSelect

function toStored({ id: _id, headers, ...row }: Row): StoredEvent {
  return { ...row, headers: JSON.parse(headers) as Record<string, string> }
}

function keyIs(key: EventKey) {
  return and(eq(t.provider, key.provider), eq(t.eventId, key.eventId))
}

/** A run that died: its row is still `processing` but the lease has run out. */
function leaseExpired(now: number) {
  return and(eq(t.status, 'processing'), lte(t.lockedUntil, now))
}

/** Waiting or failed and its time has come, or abandoned by a run that died. */
function isDue(now: number) {
  return or(and(inArray(t.status, ['received', 'failed']), lte(t.nextAttemptAt, now)), leaseExpired(now))
}

/** The lease of the claim holding attempt `attempt`: every transition out of processing is fenced by it. */
function heldBy(key: EventKey, attempt: number) {
  return and(keyIs(key), eq(t.status, 'processing'), eq(t.attempts, attempt))
}

/** Store over any drizzle SQLite database that already has the schema applied. */
export function createSqlStore(db: AnySqliteDb, close: () => Promise<void> = async () => {}): Store {
  const lease = (now: number, leaseMs: number) =>
    ({ status: 'processing', attempts: sql`${t.attempts} + 1`, lockedUntil: now + leaseMs, updatedAt: now }) as const

  async function changed(query: PromiseLike<unknown[]>) {
    return (await query).length === 1
  }

  return {
    async claim(event, { now, leaseMs, queue = false }): Promise<ClaimResult> {
      // One statement decides it: a new row is inserted, a waiting, failed or abandoned
      // one is taken over, and anything else is left alone (ON CONFLICT … WHERE false
      // acts as DO NOTHING), so two concurrent deliveries can never both get the event.
      const rows: Row[] = await db
        .insert(t)
        .values({
          ...event,
          headers: JSON.stringify(event.headers),
          ...(queue
            ? { status: 'received', attempts: 0, nextAttemptAt: now }
            : { status: 'processing', attempts: 1, lockedUntil: now + leaseMs }),
          receivedAt: now,
          updatedAt: now,
        })
        .onConflictDoUpdate({
          target: [t.provider, t.eventId],
          set: queue ? { status: 'received', nextAttemptAt: now, lockedUntil: null, updatedAt: now } : lease(now, leaseMs),
          setWhere: queue
            ? or(eq(t.status, 'failed'), leaseExpired(now))
            : or(inArray(t.status, ['received', 'failed']), leaseExpired(now)),
        })
        .returning()
      const row = rows[0]
      if (!row) return { outcome: 'duplicate' }
      return { outcome: row.status === 'received' ? 'queued' : 'claimed', event: toStored(row) }
    },

    async take(key, { now, leaseMs }) {
      const rows: Row[] = await db.update(t).set(lease(now, leaseMs)).where(and(keyIs(key), isDue(now))).returning()
      return rows[0] && toStored(rows[0])
    },

    async due(now, limit) {
      return db
        .select({ provider: t.provider, eventId: t.eventId })
        .from(t)
        .where(isDue(now))
        .orderBy(asc(sql`coalesce(${t.nextAttemptAt}, ${t.lockedUntil})`))
        .limit(limit)
    },

    complete(key, attempt, now) {
      return changed(
        db
          .update(t)
          .set({ status: 'processed', processedAt: now, lockedUntil: null, nextAttemptAt: null, replay: false, updatedAt: now })
          .where(heldBy(key, attempt))
          .returning({ id: t.id }),
      )
    },

    fail(key, attempt, { error, nextAttemptAt, now }) {
      return changed(
        db
          .update(t)
          .set({
            status: nextAttemptAt === null ? 'dead' : 'failed',
            lastError: error,
            nextAttemptAt,
            lockedUntil: null,
            updatedAt: now,
          })
          .where(heldBy(key, attempt))
          .returning({ id: t.id }),
      )
    },

    requeue(key, { now, reason }) {
      const waiting = { status: 'received', nextAttemptAt: now, lockedUntil: null, updatedAt: now } as const
      return changed(
        db
          .update(t)
          // attempts only grows (it fences stale runs); the base restarts the maxAttempts count.
          .set({ ...waiting, attemptBase: sql`${t.attempts}`, ...(reason === 'replay' ? { replay: true, replays: sql`${t.replays} + 1` } : {}) })
          .where(
            and(
              keyIs(key),
              reason === 'replay'
                ? or(sql`${t.status} <> 'processing'`, lte(t.lockedUntil, now))
                : eq(t.status, 'dead'),
            ),
          )
          .returning({ id: t.id }),
      )
    },

    async requeueAll(status, now) {
      const rows = await db
        .update(t)
        .set(
          status === 'dead'
            ? { status: 'received', attemptBase: sql`${t.attempts}`, nextAttemptAt: now, updatedAt: now }
            : { nextAttemptAt: now, updatedAt: now },
        )
        .where(eq(t.status, status))
        .returning({ id: t.id })
      return rows.length
    },

    release(key, attempt, now) {
      return changed(
        db
          .update(t)
          .set({ status: 'received', attempts: attempt - 1, nextAttemptAt: now, lockedUntil: null, updatedAt: now })
          .where(heldBy(key, attempt))
          .returning({ id: t.id }),
      )
    },

    async purge({ before, statuses }) {
      if (statuses.length === 0) return 0
      const rows = await db
        .delete(t)
        .where(and(inArray(t.status, [...statuses]), lt(t.updatedAt, before)))
        .returning({ id: t.id })
      return rows.length
    },

    async get(key) {
      const rows: Row[] = await db.select().from(t).where(keyIs(key)).limit(1)
      return rows[0] && toStored(rows[0])
    },

    async list(filter: ListFilter = {}) {
      const conditions: SQL[] = []
      if (filter.provider !== undefined) conditions.push(eq(t.provider, filter.provider))
      if (filter.status !== undefined) conditions.push(eq(t.status, filter.status))
      if (filter.since !== undefined) conditions.push(gte(t.receivedAt, filter.since))
      const rows: Row[] = await db
        .select()
        .from(t)
        .where(and(...conditions))
        .orderBy(desc(t.receivedAt), desc(t.id))
        .limit(filter.limit ?? 100)
      return rows.map(toStored)
    },

    close,
  }
}
