import { and, asc, desc, eq, gte, inArray, isNull, lt, notExists, sql } from 'drizzle-orm'
import type { BaseSQLiteDatabase } from 'drizzle-orm/sqlite-core'
import { isPromise } from '../sql/body-parts.js'
import { andThen as then, createEvents, type Awaitable, type EventStatements } from '../sql/events.js'
import { lifecycle } from '../sql/lifecycle.js'
import { sha256Hex } from '../../digest.js'
import { webhookEntities as ents, webhookEventParts as parts, webhookEvents as t, webhookHandlerRuns as runs } from './schema.js'
import { entities } from '../sql/entities.js'
import type { OrderedStore, TransactionalStore } from '../../store.js'
import { laterParts, PART_ROW } from '../sql/part-rows.js'

const LATER_PARTS = laterParts(parts)

// Shared by the better-sqlite3 (sync) and D1 (async) drivers: drizzle queries are
// awaitable on both, so the statements are written once. Every query is run with an
// explicit .all() so it executes when the method is called, not when its promise is
// awaited: group commit relies on that to run a batch inside one transaction.
// `any`: the run-result type differs per driver and no statement here reads it.
type AnySqliteDb = BaseSQLiteDatabase<'sync' | 'async', any>

const p = <T extends string>(name: T) => sql.placeholder(name)

const rows = lifecycle(t, {
  contains: (column, text) => sql`instr(${column}, ${text}) > 0`,
  inJsonArray: (column, array) => sql`${column} IN (SELECT value FROM json_each(${array}))`,
})
const { KEY, DUE, DUE_HERE, dueAt, DUE_ORDER, HELD, inserted, MATCHED, DIGEST_FIRST, claimable, LEASE, WAITING, STATE, COMPLETED, FAILED, RELEASED, STALE, REPLAYED, REPLAYABLE, REQUEUED, RETRYABLE } = rows
const { requeuedAll, purgeable, listed, bucketStart, COUNT, OLDEST_DUE, HANDLED_IN, recordOf, OF_PURGEABLE } = rows

/** How many rows a RETURNING statement changed, without a tick when better-sqlite3 ran it already. */
const count = (rows: Awaitable<unknown[]>) => (isPromise(rows) ? rows.then((r) => r.length) : rows.length)

const RECORD = recordOf(sql`${p('handler')}`, sql`${p('now')}`)
const { holdFrom, HOLDING, TAKEABLE, BLOCKED, settled, SETTLING, LET_GO, ENTITY, MINE, idleSince } = entities(t, ents, HELD, {
  excluded: (column) => sql`excluded.${sql.identifier(column.name)}`,
  now: sql`${p('now')}`,
  noVersion: sql`NULL`,
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
      .returning(changed)
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
      .values(PART_ROW)
      .onConflictDoNothing()
      .prepare(),
    parts: db.select({ data: parts.data }).from(parts).where(LATER_PARTS.where).orderBy(LATER_PARTS.order).prepare(),
    handled: db.select({ handler: runs.handler }).from(runs).where(HANDLED_IN(runs)).prepare(),
    // An existing record is kept (an update to itself), so a second call counts the row as well.
    markHandled: db
      .insert(runs)
      .select(db.select(RECORD.fields).from(t).where(RECORD.where))
      .onConflictDoUpdate({ target: [runs.provider, runs.eventId, runs.handler, runs.generation], set: { completedAt: sql`${runs.completedAt}` } })
      .returning({ handler: runs.handler })
      .prepare(),
    complete: db.update(t).set(COMPLETED).where(HELD).returning(changed).prepare(),
    fail: db.update(t).set(FAILED).where(HELD).returning(changed).prepare(),
    release: db.update(t).set(RELEASED).where(HELD).returning(changed).prepare(),
    replay: db.update(t).set(REPLAYED).where(REPLAYABLE).returning(changed).prepare(),
    retry: db.update(t).set(REQUEUED).where(RETRYABLE).returning(changed).prepare(),
    get: db.select().from(t).where(KEY).limit(1).prepare(),
    held: db.select({ id: t.id }).from(t).where(RECORD.where).prepare(),
    hold: db
      .insert(ents)
      .select(db.select(holdFrom.fields).from(t).where(holdFrom.where))
      .onConflictDoUpdate({ target: [ents.provider, ents.entityKey], set: HOLDING, setWhere: TAKEABLE })
      .returning({ version: ents.version })
      .prepare(),
    blocked: db.select(BLOCKED).from(t).where(KEY).prepare(),
    settleProcessed: db.update(ents).set(settled('processed')).where(SETTLING).prepare(),
    settleStale: db.update(ents).set(settled('stale')).where(SETTLING).prepare(),
    stale: db.update(t).set(STALE).where(HELD).returning(changed).prepare(),
    letGo: db.update(ents).set(LET_GO).where(and(ENTITY, MINE)).prepare(),
  }
}

/**
 * Runs `work` between BEGIN IMMEDIATE and COMMIT (ROLLBACK when it throws) on the store's
 * one connection, with the store's other writes held back until it ends: better-sqlite3
 * has no connection per transaction, so whatever runs on it meanwhile is inside it.
 */
export type Exclusive = <R>(work: () => Promise<R>) => Promise<R>

/** SQLite's (and D1's) statements; prepared on first use. */
function sqliteStatements(db: AnySqliteDb, exclusive: Exclusive | undefined): EventStatements {
  let prepared: ReturnType<typeof prepareStatements> | undefined
  const s = () => (prepared ??= prepareStatements(db))
  const markHandled = (params: Record<string, unknown>) => count(s().markHandled.all(params))
  // The write lock is held from BEGIN IMMEDIATE: no other process can move the row meanwhile.
  const held = { lock: (params: Record<string, unknown>) => then(s().held.all(params), (rows) => rows.length === 1), markHandled }
  return {
    ...(exclusive && { transaction: (body) => exclusive(() => body(held, db)) }),
    bodyParts: {
      write: (params) => s().part.run(params),
      read: (digest, count) => then(s().parts.all({ digest, count }), (rows) => rows.map((r) => r.data)),
    },
    insert: (params, queue) => then(count((queue ? s().queue : s().claim).all(params)), (n) => n === 1),
    takeOver: (params, queue) => then((queue ? s().takeOverQueued : s().takeOver).all(params), (rows) => rows[0]),
    take: (params) => then(s().take.all(params), (rows) => rows[0]),
    takeDue: (params) => s().takeDue.all(params),
    handled: (params) => then(s().handled.all(params), (rows) => rows.map((r) => r.handler)),
    markHandled,
    complete: (params) => count(s().complete.all(params)),
    entities: {
      hold: (params) => then(s().hold.all(params), (rows) => rows[0]),
      blocked: (params) => then(s().blocked.all(params), (rows) => rows[0] ?? { until: null, held: false }),
      // The entity first, then the event: on D1, where the two are two commits, a crash
      // between them leaves the event to run again (its handlers recorded), never an entity
      // whose version misses a processed event.
      settle: ({ status, ...params }) =>
        then((status === 'processed' ? s().settleProcessed : s().settleStale).run(params), () => count((status === 'processed' ? s().complete : s().stale).all(params))),
      letGo: (params) => s().letGo.run(params),
    },
    fail: (params) => count(s().fail.all(params)),
    release: (params) => count(s().release.all(params)),
    replay: (params) => count(s().replay.all(params)),
    retry: (params) => count(s().retry.all(params)),
    requeueAll: async (status, now) => (await db.update(t).set(requeuedAll(status, now)).where(eq(t.status, status)).returning({ id: t.id }).all()).length,
    async purge(before, statuses, now) {
      const gone = purgeable(statuses, before, now)
      await db.delete(runs).where(OF_PURGEABLE(runs, gone)).run()
      const rows = await db.delete(t).where(gone).returning({ id: t.id }).all()
      await db.delete(ents).where(idleSince(before, now)).run()
      // Parts are written before their row, so only parts older than the cut-off can be orphans.
      await db
        .delete(parts)
        .where(and(lt(parts.createdAt, before), notExists(db.select({ id: t.id }).from(t).where(eq(t.digest, parts.digest)))))
        .run()
      return rows.length
    },
    get: async (params) => (await s().get.all(params))[0],
    // Never the body or headers: a list of many large events would read them all for nothing.
    list: async (filter) =>
      db
        .select({ provider: t.provider, eventId: t.eventId, ...STATE })
        .from(t)
        .where(listed(filter))
        .orderBy(desc(t.receivedAt), desc(t.id))
        .limit(filter.limit ?? 100)
        .all(),
    counts: async () => db.select({ provider: t.provider, status: t.status, count: COUNT }).from(t).groupBy(t.provider, t.status).all(),
    oldestDue: async (now) => (await db.select({ at: OLDEST_DUE }).from(t).where(dueAt(now)).all())[0]?.at ?? null,
    async activity(since, bucketMs) {
      const start = bucketStart(bucketMs)
      return db.select({ start, status: t.status, count: COUNT }).from(t).where(gte(t.receivedAt, since)).groupBy(start, t.status).orderBy(start).all()
    },
  }
}

/**
 * Rows stored before digests existed get theirs before the sweeper's first pass (SQLite
 * and D1 have no SHA-256). A row whose bytes an earlier row already has was a replay that
 * got through: it keeps a digest of its own, so the unique index stays satisfiable.
 */
function digestBackfill(db: AnySqliteDb) {
  const missing = db.select({ id: t.id, body: t.body }).from(t).where(isNull(t.digest)).limit(100)
  async function fill() {
    for (let rounds = 0; rounds < 1000; rounds++) {
      const rows: { id: number; body: string }[] = await missing.all()
      if (rows.length === 0) return
      for (const row of rows) {
        const digest = await sha256Hex(row.body)
        await db.run(sql`UPDATE webhook_events SET digest = CASE WHEN EXISTS (
          SELECT 1 FROM webhook_events other WHERE other.digest = ${digest} AND other.provider = webhook_events.provider
        ) THEN 'replayed:' || webhook_events.id ELSE ${digest} END WHERE webhook_events.id = ${row.id} AND webhook_events.digest IS NULL`)
      }
    }
  }
  let filling: Promise<void> | undefined
  let done = false
  // Once done it returns no promise, so the sweeper's statement still runs synchronously
  // inside its group-commit batch on better-sqlite3.
  return (): Promise<void> | undefined =>
    done
      ? undefined
      : (filling ??= fill().then(
          () => void (done = true),
          (error: unknown) => {
            filling = undefined
            throw error
          },
        ))
}

/** Store over any drizzle SQLite database that already has the schema applied; with `exclusive`, handlers' transactions too. */
export function createSqlStore(db: AnySqliteDb, close: () => Promise<void> = async () => {}, exclusive?: Exclusive): OrderedStore & Partial<Pick<TransactionalStore<unknown>, 'transaction'>> {
  return { ...createEvents(sqliteStatements(db, exclusive), { beforeTakeDue: digestBackfill(db) }), close }
}
