import { and, asc, desc, eq, gte, inArray, isNull, lt, not, notExists, sql } from 'drizzle-orm'
import type { BaseSQLiteDatabase } from 'drizzle-orm/sqlite-core'
import { isPromise, PART_LENGTH, splitBody } from '../sql/body-parts.js'
import { lifecycle, toStored } from '../sql/lifecycle.js'
import { sha256Hex } from '../../digest.js'
import { webhookEventParts as parts, webhookEvents as t } from './schema.js'
import type { ClaimResult, EventKey, ListFilter, NewEvent, Store, StoredEvent } from '../../store.js'

// Shared by the better-sqlite3 (sync) and D1 (async) drivers: drizzle queries are
// awaitable on both, so the statements are written once. Every query is run with an
// explicit .all() so it executes when the method is called, not when its promise is
// awaited: group commit relies on that to run a batch inside one transaction.
// `any`: the run-result type differs per driver and no statement here reads it.
type AnySqliteDb = BaseSQLiteDatabase<'sync' | 'async', any>

type Row = typeof t.$inferSelect

const p = <T extends string>(name: T) => sql.placeholder(name)

const { KEY, DUE, DUE_HERE, dueAt, DUE_ORDER, HELD, inserted, MATCHED, DIGEST_FIRST, claimable, LEASE, WAITING, STATE, COMPLETED, FAILED, RELEASED, REPLAYED, REPLAYABLE, REQUEUED, REVIVABLE, requeuedAll, live, listed, bucketStart, COUNT, OLDEST_DUE } =
  lifecycle(t, {
    contains: (column, text) => sql`instr(${column}, ${text}) > 0`,
    inJsonArray: (column, array) => sql`${column} IN (SELECT value FROM json_each(${array}))`,
  })

/** Every statement with a fixed shape, built once with placeholders and reused. */
function prepareStatements(db: AnySqliteDb) {
  const changed = { id: t.id }
  // Any unique key (the id or the signed bytes) leaves an existing row alone without
  // raising; the caller then tries takeOver, which decides what that row gets.
  const insert = (queue: boolean) =>
    db
      .insert(t)
      .values({ ...inserted(queue), bodyParts: p('bodyParts') })
      .onConflictDoNothing()
      // The caller has the body and headers already; not reading them back saves a copy per delivery.
      .returning(STATE)
      .prepare()
  // One conditional statement: the matched row is leased (or queued) only while it is
  // waiting, failed or abandoned, so two concurrent deliveries can never both get it.
  const takeOver = (queue: boolean) =>
    db
      .update(t)
      .set(queue ? WAITING : LEASE)
      .where(and(sql`${t.id} = (${db.select({ id: t.id }).from(t).where(MATCHED).orderBy(DIGEST_FIRST).limit(1)})`, claimable(queue)))
      .returning()
      .prepare()
  return {
    claim: insert(false),
    queue: insert(true),
    takeOver: takeOver(false),
    takeOverQueued: takeOver(true),
    take: db.update(t).set(LEASE).where(and(KEY, DUE)).returning().prepare(),
    takeDue: db
      .update(t)
      .set(LEASE)
      .where(and(DUE, inArray(t.id, db.select({ id: t.id }).from(t).where(DUE_HERE).orderBy(asc(DUE_ORDER)).limit(p('limit')))))
      .returning()
      .prepare(),
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
      .orderBy(asc(DUE_ORDER))
      .limit(p('limit'))
      .prepare(),
    complete: db
      .update(t)
      .set(COMPLETED)
      .where(HELD)
      .returning(changed)
      .prepare(),
    fail: db
      .update(t)
      .set(FAILED)
      .where(HELD)
      .returning(changed)
      .prepare(),
    release: db
      .update(t)
      .set(RELEASED)
      .where(HELD)
      .returning(changed)
      .prepare(),
    replay: db
      .update(t)
      .set(REPLAYED)
      .where(REPLAYABLE)
      .returning(changed)
      .prepare(),
    revive: db.update(t).set(REQUEUED).where(REVIVABLE).returning(changed).prepare(),
    get: db.select().from(t).where(KEY).limit(1).prepare(),
  }
}

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
  let digestsDone = false
  // The sweeper's path, not a delivery's: a one-off pass over rows from before digests.
  // Once done it is skipped without an await, so the sweeper's statement still runs
  // synchronously inside its group-commit batch on better-sqlite3.
  const digestsReady = () =>
    (digestsFilled ??= fillDigests().then(
      () => void (digestsDone = true),
      (error: unknown) => {
        digestsFilled = undefined
        throw error
      },
    ))

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
      // No await between the two statements on better-sqlite3: both must run inside the
      // caller's group-commit transaction. D1's are each awaited, and each is conditional.
      const insertedRows = (queue ? statements().queue : statements().claim).all(params)
      const [row] = isPromise(insertedRows) ? await insertedRows : insertedRows
      if (row) return { outcome: row.status === 'received' ? 'queued' : 'claimed', event: { ...event, ...row }, inserted: true }
      const takenRows: Row[] | Promise<Row[]> = (queue ? statements().takeOverQueued : statements().takeOver).all(params)
      const stored = await withBody((isPromise(takenRows) ? await takenRows : takenRows)[0])
      if (!stored) return { outcome: 'duplicate' }
      return { outcome: stored.status === 'received' ? 'queued' : 'claimed', event: stored, inserted: false }
    },

    async take(key, { now, leaseMs }) {
      const rows: Row[] = await statements().take.all({ ...key, now, lockedUntil: now + leaseMs })
      return withBody(rows[0])
    },

    async takeDue({ now, leaseMs, limit, providers }) {
      if (!digestsDone) await digestsReady()
      const rows: Row[] = await statements().takeDue.all({ now, lockedUntil: now + leaseMs, limit, providers: JSON.stringify(providers) })
      return Promise.all(rows.map(async (row) => (await withBody(row))!))
    },

    async due(now, limit) {
      if (!digestsDone) await digestsReady()
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
        .set(requeuedAll(status, now))
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
      const rows = await db
        .delete(t)
        .where(and(inArray(t.status, [...statuses]), lt(t.updatedAt, before), not(live(now))))
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
      // Never the body or headers: a list of many large events would read them all for nothing.
      return db
        .select({ provider: t.provider, eventId: t.eventId, ...STATE })
        .from(t)
        .where(listed(filter))
        .orderBy(desc(t.receivedAt), desc(t.id))
        .limit(filter.limit ?? 100)
        .all()
    },

    async stats(now) {
      const [counts, due] = await Promise.all([
        db.select({ provider: t.provider, status: t.status, count: COUNT }).from(t).groupBy(t.provider, t.status).all(),
        db.select({ at: OLDEST_DUE }).from(t).where(dueAt(now)).all(),
      ])
      return { counts, oldestDueAt: due[0]?.at ?? null }
    },

    async activity(since, bucketMs) {
      const start = bucketStart(bucketMs)
      return db
        .select({ start, status: t.status, count: COUNT })
        .from(t)
        .where(gte(t.receivedAt, since))
        .groupBy(start, t.status)
        .orderBy(start)
        .all()
    },

    close,
  }
}
