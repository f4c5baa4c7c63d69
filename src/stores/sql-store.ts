import { and, asc, desc, eq, gt, gte, inArray, isNull, lt, lte, not, notExists, or, sql, type SQL } from 'drizzle-orm'
import type { BaseSQLiteDatabase } from 'drizzle-orm/sqlite-core'
import { PART_LENGTH, splitBody } from './body-parts.js'
import { sha256Hex } from '../digest.js'
import { webhookEventParts as parts, webhookEvents as t } from './schema.js'
import type { ClaimResult, EventKey, ListFilter, NewEvent, Store, StoredEvent } from './types.js'

// Shared by the better-sqlite3 (sync) and D1 (async) drivers: drizzle queries are
// awaitable on both, so the statements are written once. Every query is run with an
// explicit .all() so it executes when the method is called, not when its promise is
// awaited: group commit relies on that to run a batch inside one transaction.
// `any`: the run-result type differs per driver and no statement here reads it.
type AnySqliteDb = BaseSQLiteDatabase<'sync' | 'async', any>

type Row = typeof t.$inferSelect

function toStored({ id: _id, bodyParts: _parts, headers, ...row }: Row): StoredEvent {
  return { ...row, headers: JSON.parse(headers) as Record<string, string> }
}

const p = <T extends string>(name: T) => sql.placeholder(name)
/** A placeholder where drizzle's types want an SQL expression (update sets). */
const v = (name: string) => sql`${sql.placeholder(name)}`

// The conditions, once, over named parameters: provider, eventId, now, attempt.
const KEY = and(eq(t.provider, p('provider')), eq(t.eventId, p('eventId')))
type Now = number | ReturnType<typeof sql.placeholder>
/** A run that died: its row is still `processing` but the lease has run out. */
const leaseExpiredAt = (now: Now) => and(eq(t.status, 'processing'), lte(t.lockedUntil, now))
/** Waiting or failed and its time has come, or abandoned by a run that died. */
const dueAt = (now: Now) => or(and(inArray(t.status, ['received', 'failed']), lte(t.nextAttemptAt, now)), leaseExpiredAt(now))
const LEASE_EXPIRED = leaseExpiredAt(p('now'))
const DUE = dueAt(p('now'))
/** The lease of the claim holding attempt `attempt`: every transition out of processing is fenced by it. */
const HELD = and(KEY, eq(t.status, 'processing'), eq(t.attempts, p('attempt')))

const LEASE = { status: 'processing', attempts: sql`${t.attempts} + 1`, lockedUntil: v('lockedUntil'), updatedAt: v('now') } as const
const WAITING = { status: 'received', nextAttemptAt: v('now'), lockedUntil: null, updatedAt: v('now') } as const
/** Restarts the maxAttempts count; attempts itself only grows, as it fences stale runs. */
const REQUEUED = { ...WAITING, attemptBase: sql`${t.attempts}` } as const

/** Every column but the key, the body and the headers. */
const STATE = {
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
        bodyParts: p('bodyParts'),
        digest: p('digest'),
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
      // The same signed bytes under another id (a captured delivery with forged headers):
      // a duplicate, never a second event.
      .onConflictDoNothing()
      // The caller has the body and headers already; not reading them back saves a copy per delivery.
      .returning(STATE)
      .prepare()
  return {
    claim: insert(false),
    queue: insert(true),
    take: db.update(t).set(LEASE).where(and(KEY, DUE)).returning().prepare(),
    // A body's parts are written once and never change, so a second writer's are dropped.
    part: db
      .insert(parts)
      .values({ digest: p('digest'), part: p('part'), data: p('data'), createdAt: p('now') })
      .onConflictDoNothing()
      .prepare(),
    missingDigests: db.select({ id: t.id, body: t.body }).from(t).where(isNull(t.digest)).limit(100).prepare(),
    parts: db
      .select({ data: parts.data })
      .from(parts)
      .where(and(eq(parts.digest, p('digest')), lt(parts.part, p('count'))))
      .orderBy(asc(parts.part))
      .prepare(),
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
    revive: db.update(t).set(REQUEUED).where(and(KEY, inArray(t.status, ['failed', 'dead']))).returning(changed).prepare(),
    get: db.select().from(t).where(KEY).limit(1).prepare(),
  }
}

const isPromise = (value: unknown): value is PromiseLike<unknown> =>
  typeof (value as PromiseLike<unknown> | undefined)?.then === 'function'

/** Store over any drizzle SQLite database that already has the schema applied. */
export function createSqlStore(db: AnySqliteDb, close: () => Promise<void> = async () => {}): Store {
  let prepared: ReturnType<typeof prepareStatements> | undefined
  const statements = () => (prepared ??= prepareStatements(db))
  const one = async (rows: PromiseLike<unknown[]> | unknown[]) => (await rows).length === 1

  /** The row with its whole body: the first part is in the row, the rest (rarely any) beside it. */
  async function withBody(row: Row | undefined): Promise<StoredEvent | undefined> {
    if (row === undefined) return undefined
    const stored = toStored(row)
    if (row.bodyParts > 1) {
      const rest: { data: string }[] = await statements().parts.all({ digest: row.digest, count: row.bodyParts })
      stored.body = row.body + rest.map((r) => r.data).join('')
    }
    return stored
  }

  /**
   * Rows stored before digests existed get theirs here (SQLite and D1 have no SHA-256).
   * A row whose bytes an earlier row already has was a replay that got through: it keeps
   * a digest of its own, so the unique index stays satisfiable.
   */
  async function fillDigests() {
    for (let rounds = 0; rounds < 1000; rounds++) {
      const rows: { id: number; body: string }[] = await statements().missingDigests.all()
      if (rows.length === 0) return
      for (const row of rows) {
        const digest = await sha256Hex(row.body)
        await db.run(sql`UPDATE webhook_events SET digest = CASE WHEN EXISTS (
          SELECT 1 FROM webhook_events other WHERE other.digest = ${digest} AND other.provider = webhook_events.provider
        ) THEN 'replayed:' || webhook_events.id ELSE ${digest} END WHERE webhook_events.id = ${row.id} AND webhook_events.digest IS NULL`)
      }
    }
  }
  let digestsFilled: Promise<void> | undefined

  return {
    async claim(event, { now, leaseMs, queue = false }): Promise<ClaimResult> {
      const [first = '', ...rest] = event.body.length > PART_LENGTH ? splitBody(event.body) : [event.body]
      const digest = event.digest ?? null
      if (rest.length > 0 && digest === null) throw new TypeError('store.claim(): a body over one part needs its digest')
      // The parts go first and the row that points at them last. On better-sqlite3 every
      // statement runs synchronously here, inside the caller's group-commit transaction;
      // on D1 each is a round trip, so the parts are awaited before the row exists.
      const written = rest.map((data, i) => statements().part.run({ digest, part: i + 1, data, now }))
      if (written.some(isPromise)) await Promise.all(written)
      const params = { ...event, body: first, bodyParts: rest.length + 1, digest, headers: JSON.stringify(event.headers), now, lockedUntil: now + leaseMs }
      const [row] = await (queue ? statements().queue : statements().claim).all(params)
      if (!row) return { outcome: 'duplicate' }
      // A re-claimed row keeps the type it was first stored with.
      return { outcome: row.status === 'received' ? 'queued' : 'claimed', event: { ...event, ...row } }
    },

    async take(key, { now, leaseMs }) {
      const rows: Row[] = await statements().take.all({ ...key, now, lockedUntil: now + leaseMs })
      return withBody(rows[0])
    },

    async due(now, limit) {
      // The sweeper's path, not a delivery's: a one-off pass over rows from before digests.
      digestsFilled ??= fillDigests().catch((error: unknown) => {
        digestsFilled = undefined
        throw error
      })
      await digestsFilled
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

    async purge({ before, statuses, now }) {
      if (statuses.length === 0) return 0
      const live = and(eq(t.status, 'processing'), gt(t.lockedUntil, now))
      const rows = await db
        .delete(t)
        .where(and(inArray(t.status, [...statuses]), lt(t.updatedAt, before), not(live!)))
        .returning({ id: t.id })
        .all()
      // Parts are written before their row, so only parts older than the cut-off can be orphans.
      await db
        .delete(parts)
        .where(and(lt(parts.createdAt, before), notExists(db.select({ id: t.id }).from(t).where(eq(t.digest, parts.digest)))))
        .run()
      return rows.length
    },

    async get(key) {
      const rows: Row[] = await statements().get.all({ ...key })
      return withBody(rows[0])
    },

    async list(filter: ListFilter = {}) {
      const conditions: SQL[] = []
      if (filter.provider !== undefined) conditions.push(eq(t.provider, filter.provider))
      if (filter.eventId !== undefined) conditions.push(eq(t.eventId, filter.eventId))
      if (filter.status !== undefined) conditions.push(eq(t.status, filter.status))
      if (filter.since !== undefined) conditions.push(gte(t.receivedAt, filter.since))
      // instr, not LIKE: the text is matched as typed, with no wildcards to escape.
      if (filter.q) conditions.push(sql`(instr(${t.eventId}, ${filter.q}) > 0 OR instr(${t.type}, ${filter.q}) > 0)`)
      if (filter.before !== undefined) {
        // The order's tie-breaker is the row id, which callers never see: it is looked up by key.
        const { receivedAt, provider, eventId } = filter.before
        const id = sql`(SELECT ${t.id} FROM ${t} WHERE ${t.provider} = ${provider} AND ${t.eventId} = ${eventId})`
        conditions.push(or(lt(t.receivedAt, receivedAt), and(eq(t.receivedAt, receivedAt), sql`${t.id} < ${id}`))!)
      }
      // Never the body or headers: a list of many large events would read them all for nothing.
      return db
        .select({ provider: t.provider, eventId: t.eventId, ...STATE })
        .from(t)
        .where(and(...conditions))
        .orderBy(desc(t.receivedAt), desc(t.id))
        .limit(filter.limit ?? 100)
        .all()
    },

    async stats(now) {
      const [counts, due] = await Promise.all([
        db.select({ provider: t.provider, status: t.status, count: sql<number>`count(*)` }).from(t).groupBy(t.provider, t.status).all(),
        db.select({ at: sql<number | null>`min(coalesce(${t.nextAttemptAt}, ${t.lockedUntil}))` }).from(t).where(dueAt(now)).all(),
      ])
      return { counts, oldestDueAt: due[0]?.at ?? null }
    },

    async activity(since, bucketMs) {
      // Not a division: better-sqlite3 binds numbers as REAL, and `%` truncates either way.
      const start = sql<number>`${t.receivedAt} - (${t.receivedAt} % ${bucketMs})`
      return db
        .select({ start, status: t.status, count: sql<number>`count(*)` })
        .from(t)
        .where(gte(t.receivedAt, since))
        .groupBy(start, t.status)
        .orderBy(start)
        .all()
    },

    close,
  }
}
