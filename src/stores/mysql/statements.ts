import { and, asc, desc, eq, getTableColumns, gte, inArray, lt, lte, notExists, sql, type SQL } from 'drizzle-orm'
import type { MySql2Database } from 'drizzle-orm/mysql2'
import type { ResultSetHeader } from 'mysql2'
import { entities } from '../sql/entities.js'
import { lifecycle } from '../sql/lifecycle.js'
import type { EventStatus, ListFilter } from '../../store.js'
import type { EventStatements } from '../sql/events.js'
import { heldTransaction, isDuplicate, type MysqlDb, retryTransient } from './connection.js'
import { webhookEntities as ents, webhookEventParts as parts, webhookEvents as t, webhookHandlerRuns as runs } from './schema.js'
import { laterParts, PART_ROW } from '../sql/part-rows.js'

const LATER_PARTS = laterParts(parts)

// Every column but due_at, which only orders the sweeper's batch.
const { dueAt: _dueAt, ...ROW } = getTableColumns(t)
export type Row = Omit<typeof t.$inferSelect, 'dueAt'>
type Params = Record<string, unknown>
type Db = MySql2Database

const p = (name: string) => sql.placeholder(name)
const rows = lifecycle(t, {
  contains: (column, text) => sql`locate(${text}, ${column}) > 0`,
  // The column is binary (byte-exact ids): read as text to compare with the JSON strings.
  inJsonArray: (column, array) => sql`json_contains(${array}, json_quote(convert(${column} using utf8mb4)))`,
})
const { KEY, DUE, DUE_HERE, dueAt, HELD, inserted, MATCHED, DIGEST_FIRST, claimable, LEASE, WAITING, STATE, COMPLETED, FAILED, RELEASED, STALE, REPLAYED, REPLAYABLE, REQUEUED, RETRYABLE } = rows
const { requeuedAll, purgeable, listed, bucketStart, COUNT, OLDEST_DUE, HANDLED_IN, recordOf, OF_PURGEABLE } = rows
const RECORD = recordOf(sql`${p('handler')}`, sql`${p('now')}`)
const { holdFrom, HOLDING, TAKEABLE, BLOCKED, settled, SETTLING, LET_GO, ENTITY, MINE, idleSince } = entities(t, ents, HELD, {
  excluded: (column) => sql`values(${sql.identifier(column.name)})`,
  now: sql`${p('now')}`,
  noVersion: sql`NULL`,
})
/**
 * hold()'s upsert: ON DUPLICATE KEY UPDATE has no WHERE, so each column of HOLDING keeps its
 * value unless TAKEABLE. MySQL assigns left to right, in the table's column order (drizzle
 * writes them so), holder first: once holder is this run's, TAKEABLE still holds for the
 * columns after it, and when it did not hold, holder and lease_ends_at are unchanged.
 */
const HOLDING_IF_TAKEABLE = Object.fromEntries(
  Object.entries(HOLDING).map(([column, value]) => [column, sql`IF(${TAKEABLE}, ${value}, ${ents[column as keyof typeof HOLDING]})`]),
) as { [K in keyof typeof HOLDING]: SQL }

/**
 * What an UPDATE or DELETE reports: the rows it matched (FOUND_ROWS) or deleted. A single
 * statement InnoDB picks as a deadlock's victim is rolled back whole, so it runs again.
 */
const affected = async (statement: () => Promise<[ResultSetHeader, unknown]>) => (await retryTransient(statement))[0].affectedRows

/**
 * markHandled()'s statement, on the pool or inside a handler's transaction on its connection.
 * A second call moves completed_at to its own time, so it changes the row and counts
 * (1 insert, 2 update) even on a pool of the user's without FOUND_ROWS, where a
 * duplicate left unchanged would count 0 (only a second call in the same ms does).
 */
const record = (on: MysqlDb) =>
  on
    .insert(runs)
    .select(on.select(RECORD.fields).from(t).where(RECORD.where))
    .onDuplicateKeyUpdate({ set: { completedAt: sql.raw('values(`completed_at`)') } })
    .prepare()
/** markHandled()'s count: 1 when the row held, however the record was written. */
const recorded = ([result]: [ResultSetHeader, unknown]) => Math.min(1, result.affectedRows)

/** Every statement with a fixed shape, built once with placeholders and reused. */
function prepareStatements(db: Db) {
  const insert = (queue: boolean) => db.insert(t).values({ ...inserted(queue), bodyParts: p('bodyParts') }).prepare()
  return {
    claim: insert(false),
    queue: insert(true),
    // A body's parts are written once and never change, so a second writer's are dropped.
    part: db
      .insert(parts)
      .values(PART_ROW)
      .onDuplicateKeyUpdate({ set: { part: sql`${parts.part}` } })
      .prepare(),
    parts: db.select({ data: parts.data }).from(parts).where(LATER_PARTS.where).orderBy(LATER_PARTS.order).prepare(),
    handled: db.select({ handler: runs.handler }).from(runs).where(HANDLED_IN(runs)).prepare(),
    markHandled: record(db),
    complete: db.update(t).set(COMPLETED).where(HELD).prepare(),
    fail: db.update(t).set(FAILED).where(HELD).prepare(),
    release: db.update(t).set(RELEASED).where(HELD).prepare(),
    replay: db.update(t).set(REPLAYED).where(REPLAYABLE).prepare(),
    retry: db.update(t).set(REQUEUED).where(RETRYABLE).prepare(),
    get: db.select(ROW).from(t).where(KEY).limit(1).prepare(),
    blocked: db.select(BLOCKED).from(t).where(KEY).prepare(),
    letGo: db.update(ents).set(LET_GO).where(and(ENTITY, MINE)).prepare(),
  }
}

/**
 * The MySQL/MariaDB dialect's statements over sql/lifecycle.ts's conditions and sets.
 *
 * MySQL has no RETURNING and MariaDB none on UPDATE, so: a fenced transition (complete,
 * fail, release, replay, retry) is one conditional UPDATE judged by its row count; a
 * transition whose row the caller needs (a take-over, take, takeDue) is that UPDATE and
 * a read of the row in one short READ COMMITTED transaction, which holds the row's lock
 * from the write to the read and is run again if InnoDB picks it as a deadlock's victim.
 * A claim of a new event is one INSERT whose row the caller already knows.
 */
export function mysqlStatements(db: Db): EventStatements {
  const prepared = prepareStatements(db)
  const transaction = <T>(work: (tx: Parameters<Parameters<Db['transaction']>[0]>[0]) => Promise<T>) =>
    retryTransient(() => db.transaction(work, { isolationLevel: 'read committed' }))

  return {
    /**
     * A new row, or false when a row has its id or its signed bytes (even one a concurrent
     * claim inserted a moment ago): takeOver() decides what that row gets.
     */
    async insert(params: Params, queue: boolean): Promise<boolean> {
      try {
        await (queue ? prepared.queue : prepared.claim).execute(params)
        return true
      } catch (error) {
        if (isDuplicate(error)) return false
        throw error
      }
    },
    /**
     * The row a delivery that inserted nothing is for (the one with its signed bytes, else
     * the one with its id), leased (or, `queue`, queued) to this claim and read back whole
     * when it is waiting, failed or abandoned; undefined when it is not claimable.
     */
    takeOver: (params: Params, queue: boolean) =>
      transaction(async (tx): Promise<Row | undefined> => {
        // A plain read, not FOR UPDATE: locking through the two unique indexes (an index
        // merge) takes locks in another order than complete()'s UPDATE by key, and InnoDB
        // then picks one of the two as a deadlock's victim. The UPDATE by primary key below
        // checks claimable under its own lock, so of concurrent takeovers one still wins.
        const [matched] = await tx.select({ id: t.id }).from(t).where(MATCHED).orderBy(DIGEST_FIRST).limit(1).execute(params)
        if (matched === undefined) return undefined
        const [changed] = await tx.update(t).set(queue ? WAITING : LEASE).where(and(eq(t.id, matched.id), claimable(queue))).execute(params)
        if (changed.affectedRows === 0) return undefined
        const [row] = await tx.select(ROW).from(t).where(eq(t.id, matched.id))
        return row
      }),
    take: (params: Params) =>
      transaction(async (tx): Promise<Row | undefined> => {
        const [changed] = await tx.update(t).set(LEASE).where(and(KEY, DUE)).execute(params)
        if (changed.affectedRows === 0) return undefined
        const [row] = await tx.select(ROW).from(t).where(KEY).execute(params)
        return row
      }),
    // SKIP LOCKED: sweepers of other instances take other rows instead of waiting on these.
    takeDue: (params: Params & { limit: number }) =>
      transaction(async (tx): Promise<Row[]> => {
        const due = tx.select({ id: t.id }).from(t).where(and(lte(t.dueAt, p('now')), DUE_HERE)).orderBy(asc(t.dueAt)).limit(params.limit)
        const ids = (await due.for('update', { skipLocked: true }).execute(params)).map((row) => row.id)
        if (ids.length === 0) return []
        await tx.update(t).set(LEASE).where(inArray(t.id, ids)).execute(params)
        const taken = new Map((await tx.select(ROW).from(t).where(inArray(t.id, ids))).map((row) => [row.id, row]))
        return ids.map((id) => taken.get(id)!)
      }),
    bodyParts: {
      write: (params: Params) => prepared.part.execute(params),
      read: async (digest: string | null, count: number) => (await prepared.parts.execute({ digest, count })).map((row) => row.data),
    },
    handled: async (params: Params) => (await prepared.handled.execute(params)).map((r) => r.handler),
    markHandled: async (params: Params) => recorded(await retryTransient(() => prepared.markHandled.execute(params))),
    // Built on the transaction's connection, so they run inside it; not run again there on a
    // deadlock, which rolled the whole transaction back (heldTransaction decides what may be).
    transaction: (body) =>
      heldTransaction(db, (tx, first) => {
        // The row markHandled() writes from, locked until the commit: a takeover waits for it,
        // then finds the run's success record.
        const lock = tx.select({ id: t.id }).from(t).where(RECORD.where).for('update').prepare()
        const markHandled = record(tx)
        return body({ lock: async (params) => (await first(lock.execute(params))).length === 1, markHandled: async (params) => recorded(await markHandled.execute(params)) }, tx)
      }),
    complete: (params: Params) => affected(() => prepared.complete.execute(params)),
    fail: (params: Params) => affected(() => prepared.fail.execute(params)),
    release: (params: Params) => affected(() => prepared.release.execute(params)),
    replay: (params: Params) => affected(() => prepared.replay.execute(params)),
    retry: (params: Params) => affected(() => prepared.retry.execute(params)),
    entities: {
      // No RETURNING: the upsert, then a read of the row it left in the same transaction (so
      // it sees the upsert's own write). This run holds the entity when the row names it and
      // the run still holds its event, as the upsert's SELECT asked.
      hold: (params: Params) =>
        transaction(async (tx) => {
          await tx
            .insert(ents)
            .select(tx.select(holdFrom.fields).from(t).where(holdFrom.where))
            .onDuplicateKeyUpdate({ set: HOLDING_IF_TAKEABLE })
            .execute(params)
          const [held] = await tx.select({ version: ents.version }).from(ents).where(and(SETTLING, MINE)).execute(params)
          return held
        }),
      blocked: async (params: Params) => (await prepared.blocked.execute(params))[0] ?? { until: null, held: false },
      // The event's row locked first, so no takeover moves it before the commit: the entity is
      // updated (SETTLING reads the row still processing) only when the transition then applies.
      settle: ({ status, ...params }) =>
        transaction(async (tx) => {
          const [held] = await tx.select({ id: t.id }).from(t).where(HELD).for('update').execute(params)
          if (held === undefined) return 0
          await tx.update(ents).set(settled(status)).where(SETTLING).execute(params)
          const [changed] = await tx.update(t).set(status === 'processed' ? COMPLETED : STALE).where(HELD).execute(params)
          return changed.affectedRows
        }),
      letGo: (params: Params) => affected(() => prepared.letGo.execute(params)),
    },
    requeueAll: (status: 'failed' | 'dead', now: number) => affected(() => db.update(t).set(requeuedAll(status, now)).where(eq(t.status, status)).execute()),
    async purge(before: number, statuses: EventStatus[], now: number) {
      const gone = purgeable(statuses, before, now)
      await affected(() => db.delete(runs).where(OF_PURGEABLE(runs, gone)).execute())
      const deleted = await affected(() => db.delete(t).where(gone).execute())
      await affected(() => db.delete(ents).where(idleSince(before, now)).execute())
      // Parts are written before their row, so only parts older than the cut-off can be orphans.
      await db.delete(parts).where(and(lt(parts.createdAt, before), notExists(db.select({ id: t.id }).from(t).where(eq(t.digest, parts.digest)))))
      return deleted
    },
    get: async (params: Params): Promise<Row | undefined> => (await prepared.get.execute(params))[0],
    list: (filter: ListFilter) =>
      db
        .select({ provider: t.provider, eventId: t.eventId, ...STATE })
        .from(t)
        .where(listed(filter))
        .orderBy(desc(t.receivedAt), desc(t.id))
        .limit(filter.limit ?? 100),
    counts: () => db.select({ provider: t.provider, status: t.status, count: COUNT }).from(t).groupBy(t.provider, t.status),
    oldestDue: async (now: number) => (await db.select({ at: OLDEST_DUE }).from(t).where(dueAt(now)))[0]?.at ?? null,
    activity(since: number, bucketMs: number) {
      const start = bucketStart(bucketMs)
      return db.select({ start, status: t.status, count: COUNT }).from(t).where(gte(t.receivedAt, since)).groupBy(start, t.status).orderBy(start)
    },
  }
}
