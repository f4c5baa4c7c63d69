import { and, asc, desc, eq, gte, inArray, lt, lte, or, sql, type SQL } from 'drizzle-orm'
import type { BaseSQLiteDatabase } from 'drizzle-orm/sqlite-core'
import { webhookEvents as t } from './schema.js'
import type { ClaimResult, ListFilter, Store, StoredEvent } from './types.js'

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

const p = <T extends string>(name: T) => sql.placeholder(name)
/** A placeholder where drizzle's types want an SQL expression (update sets). */
const v = (name: string) => sql`${sql.placeholder(name)}`

// The conditions, once, over named parameters: provider, eventId, now, attempt.
const KEY = and(eq(t.provider, p('provider')), eq(t.eventId, p('eventId')))
/** A run that died: its row is still `processing` but the lease has run out. */
const LEASE_EXPIRED = and(eq(t.status, 'processing'), lte(t.lockedUntil, p('now')))
/** Waiting or failed and its time has come, or abandoned by a run that died. */
const DUE = or(and(inArray(t.status, ['received', 'failed']), lte(t.nextAttemptAt, p('now'))), LEASE_EXPIRED)
/** The lease of the claim holding attempt `attempt`: every transition out of processing is fenced by it. */
const HELD = and(KEY, eq(t.status, 'processing'), eq(t.attempts, p('attempt')))

const LEASE = { status: 'processing', attempts: sql`${t.attempts} + 1`, lockedUntil: v('lockedUntil'), updatedAt: v('now') } as const
const WAITING = { status: 'received', nextAttemptAt: v('now'), lockedUntil: null, updatedAt: v('now') } as const
/** Restarts the maxAttempts count; attempts itself only grows, as it fences stale runs. */
const REQUEUED = { ...WAITING, attemptBase: sql`${t.attempts}` } as const

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

/** Every statement with a fixed shape, built once with placeholders and reused. */
function prepareStatements(db: AnySqliteDb) {
  const changed = { id: t.id }
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
        set: queue ? WAITING : LEASE,
        setWhere: queue ? or(eq(t.status, 'failed'), LEASE_EXPIRED) : or(inArray(t.status, ['received', 'failed']), LEASE_EXPIRED),
      })
      // The caller has the body and headers already; not reading them back saves a copy per delivery.
      .returning(STATE)
      .prepare()
  return {
    claim: insert(false),
    queue: insert(true),
    take: db.update(t).set(LEASE).where(and(KEY, DUE)).returning().prepare(),
    due: db
      .select({ provider: t.provider, eventId: t.eventId })
      .from(t)
      .where(DUE)
      .orderBy(asc(sql`coalesce(${t.nextAttemptAt}, ${t.lockedUntil})`))
      .limit(p('limit'))
      .prepare(),
    complete: db
      .update(t)
      .set({ status: 'processed', processedAt: v('now'), lockedUntil: null, nextAttemptAt: null, replay: false, updatedAt: v('now') })
      .where(HELD)
      .returning(changed)
      .prepare(),
    fail: db
      .update(t)
      // A failed run settles a replay as complete() does: the replay was run, and its retries are ordinary runs.
      .set({ status: v('status'), lastError: v('error'), nextAttemptAt: v('nextAttemptAt'), lockedUntil: null, replay: false, updatedAt: v('now') })
      .where(HELD)
      .returning(changed)
      .prepare(),
    release: db
      .update(t)
      .set({ ...WAITING, attempts: sql`${t.attempts} - 1` })
      .where(HELD)
      .returning(changed)
      .prepare(),
    replay: db
      .update(t)
      .set({ ...REQUEUED, replay: true, replays: sql`${t.replays} + 1` })
      .where(and(KEY, or(sql`${t.status} <> 'processing'`, LEASE_EXPIRED)))
      .returning(changed)
      .prepare(),
    revive: db.update(t).set(REQUEUED).where(and(KEY, eq(t.status, 'dead'))).returning(changed).prepare(),
    get: db.select().from(t).where(KEY).limit(1).prepare(),
  }
}

/** Store over any drizzle SQLite database that already has the schema applied. */
export function createSqlStore(db: AnySqliteDb, close: () => Promise<void> = async () => {}): Store {
  let prepared: ReturnType<typeof prepareStatements> | undefined
  const statements = () => (prepared ??= prepareStatements(db))
  const one = async (rows: PromiseLike<unknown[]> | unknown[]) => (await rows).length === 1

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
      return statements().due.all({ now, limit })
    },

    async complete(key, attempt, now) {
      return one(statements().complete.all({ ...key, attempt, now }))
    },

    async fail(key, attempt, { error, nextAttemptAt, now }) {
      const status = nextAttemptAt === null ? 'dead' : 'failed'
      return one(statements().fail.all({ ...key, attempt, now, status, error, nextAttemptAt }))
    },

    async requeue(key, { now, reason }) {
      return one((reason === 'replay' ? statements().replay : statements().revive).all({ ...key, now }))
    },

    async requeueAll(status, now) {
      const rows = await db
        .update(t)
        .set(status === 'dead' ? { status: 'received', attemptBase: sql`${t.attempts}`, nextAttemptAt: now, updatedAt: now } : { nextAttemptAt: now, updatedAt: now })
        .where(eq(t.status, status))
        .returning({ id: t.id })
        .all()
      return rows.length
    },

    async release(key, attempt, now) {
      return one(statements().release.all({ ...key, attempt, now }))
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
      if (filter.eventId !== undefined) conditions.push(eq(t.eventId, filter.eventId))
      if (filter.status !== undefined) conditions.push(eq(t.status, filter.status))
      if (filter.since !== undefined) conditions.push(gte(t.receivedAt, filter.since))
      // Never the body or headers: a list of many large events would read them all for nothing.
      return db
        .select({ provider: t.provider, eventId: t.eventId, ...STATE })
        .from(t)
        .where(and(...conditions))
        .orderBy(desc(t.receivedAt), desc(t.id))
        .limit(filter.limit ?? 100)
        .all()
    },

    close,
  }
}
