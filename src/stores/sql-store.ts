import { and, asc, desc, eq, gte, inArray, lt, lte, or, sql, type SQL } from 'drizzle-orm'
import type { BaseSQLiteDatabase } from 'drizzle-orm/sqlite-core'
import { webhookEvents as t } from './schema.js'
import type { ClaimResult, EventKey, ListFilter, Store, StoredEvent } from './types.js'

// Shared by the better-sqlite3 (sync) and D1 (async) drivers: drizzle queries are
// awaitable on both, so the statements are written once. Every query is run with an
// explicit .all() so it executes when the method is called, not when its promise is
// awaited: group commit relies on that to run a batch inside one transaction.
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

const p = <T extends string>(name: T) => sql.placeholder(name)

/** Every column but the key, the body and the headers. */
const STATE = {
  type: t.type,
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
}
/** A placeholder where drizzle's types want an SQL expression (update sets). */
const v = (name: string) => sql`${sql.placeholder(name)}`

/** The statements every delivery runs, built once with placeholders and reused. */
function prepareHotPath(db: AnySqliteDb) {
  const keyParams = and(eq(t.provider, p('provider')), eq(t.eventId, p('eventId')))
  const leaseParams = { status: 'processing', attempts: sql`${t.attempts} + 1`, lockedUntil: v('lockedUntil'), updatedAt: v('now') } as const
  const expired = and(eq(t.status, 'processing'), lte(t.lockedUntil, p('now')))
  const heldParams = and(keyParams, eq(t.status, 'processing'), eq(t.attempts, p('attempt')))
  const insert = (queue: boolean) =>
    db
      .insert(t)
      .values({
        provider: p('provider'),
        eventId: p('eventId'),
        type: p('type'),
        body: p('body'),
        headers: p('headers'),
        status: queue ? 'received' : 'processing',
        attempts: queue ? 0 : 1,
        lockedUntil: queue ? null : p('lockedUntil'),
        nextAttemptAt: queue ? p('now') : null,
        receivedAt: p('now'),
        updatedAt: p('now'),
      })
      // One statement decides it: a new row is inserted, a waiting, failed or abandoned
      // one is taken over, and anything else is left alone (ON CONFLICT … WHERE false
      // acts as DO NOTHING), so two concurrent deliveries can never both get the event.
      .onConflictDoUpdate({
        target: [t.provider, t.eventId],
        set: queue ? { status: 'received', nextAttemptAt: v('now'), lockedUntil: null, updatedAt: v('now') } : leaseParams,
        setWhere: queue ? or(eq(t.status, 'failed'), expired) : or(inArray(t.status, ['received', 'failed']), expired),
      })
      // The caller has the body and headers already; not reading them back saves a copy per delivery.
      .returning(STATE)
      .prepare()
  return {
    claim: insert(false),
    queue: insert(true),
    take: db
      .update(t)
      .set(leaseParams)
      .where(and(keyParams, or(and(inArray(t.status, ['received', 'failed']), lte(t.nextAttemptAt, p('now'))), expired)))
      .returning()
      .prepare(),
    complete: db
      .update(t)
      .set({ status: 'processed', processedAt: v('now'), lockedUntil: null, nextAttemptAt: null, replay: false, updatedAt: v('now') })
      .where(heldParams)
      .returning({ id: t.id })
      .prepare(),
    fail: db
      .update(t)
      .set({ status: v('status'), lastError: v('error'), nextAttemptAt: v('nextAttemptAt'), lockedUntil: null, updatedAt: v('now') })
      .where(heldParams)
      .returning({ id: t.id })
      .prepare(),
    get: db.select().from(t).where(keyParams).limit(1).prepare(),
  }
}

/** Store over any drizzle SQLite database that already has the schema applied. */
export function createSqlStore(db: AnySqliteDb, close: () => Promise<void> = async () => {}): Store {
  let hot: ReturnType<typeof prepareHotPath> | undefined
  const statements = () => (hot ??= prepareHotPath(db))

  async function changed(query: PromiseLike<unknown[]> | unknown[]) {
    return (await query).length === 1
  }

  return {
    async claim(event, { now, leaseMs, queue = false }): Promise<ClaimResult> {
      const params = { ...event, headers: JSON.stringify(event.headers), now, lockedUntil: now + leaseMs }
      const [row] = await (queue ? statements().queue : statements().claim).all(params)
      if (!row) return { outcome: 'duplicate' }
      // A re-claimed row keeps the type it was first stored with.
      return { outcome: row.status === 'received' ? 'queued' : 'claimed', event: { ...event, ...row } }
    },

    async take(key, { now, leaseMs }) {
      const rows: Row[] = await statements().take.all({ ...key, now, lockedUntil: now + leaseMs })
      return rows[0] && toStored(rows[0])
    },

    async due(now, limit) {
      return db
        .select({ provider: t.provider, eventId: t.eventId })
        .from(t)
        .where(isDue(now))
        .orderBy(asc(sql`coalesce(${t.nextAttemptAt}, ${t.lockedUntil})`))
        .limit(limit)
        .all()
    },

    async complete(key, attempt, now) {
      return changed(statements().complete.all({ ...key, attempt, now }))
    },

    async fail(key, attempt, { error, nextAttemptAt, now }) {
      const status = nextAttemptAt === null ? 'dead' : 'failed'
      return changed(statements().fail.all({ ...key, attempt, now, status, error, nextAttemptAt }))
    },

    async requeue(key, { now, reason }) {
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
          .returning({ id: t.id })
          .all(),
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
        .all()
      return rows.length
    },

    async release(key, attempt, now) {
      return changed(
        db
          .update(t)
          .set({ status: 'received', attempts: attempt - 1, nextAttemptAt: now, lockedUntil: null, updatedAt: now })
          .where(heldBy(key, attempt))
          .returning({ id: t.id })
          .all(),
      )
    },

    async purge({ before, statuses }) {
      if (statuses.length === 0) return 0
      const rows = await db
        .delete(t)
        .where(and(inArray(t.status, [...statuses]), lt(t.updatedAt, before)))
        .returning({ id: t.id })
        .all()
      return rows.length
    },

    async get(key) {
      const rows: Row[] = await statements().get.all({ ...key })
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
        .all()
      return rows.map(toStored)
    },

    close,
  }
}
