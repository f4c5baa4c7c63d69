import { and, asc, desc, eq, exists, gte, inArray, sql } from 'drizzle-orm'
import type { NodePgQueryResultHKT } from 'drizzle-orm/node-postgres'
import type { PgDatabase } from 'drizzle-orm/pg-core'
import type { EventStatements } from '../sql/events.js'
import { entities } from '../sql/entities.js'
import { lifecycle } from '../sql/lifecycle.js'
import type { pgTables } from './schema.js'

const p = (name: string) => sql.placeholder(name)
type Params = Record<string, unknown>

/** Drizzle on the pool, or on one transaction's connection (a transaction is a database of its own in drizzle). */
export type PgDb = PgDatabase<NodePgQueryResultHKT>

/**
 * A prepared statement's name, per schema: node-postgres reuses a statement by name on
 * each connection, and two stores on one pool with different schemas must not share one.
 */
export const statementName = (schema: string) => (statement: string) => `webhook-inbox ${schema} ${statement}`

/** Postgres's statements over sql/lifecycle.ts's conditions and sets; bodies are stored whole (text holds 1 GB). */
export function postgresStatements(db: PgDb, { webhookEvents: t, webhookHandlerRuns: runs, webhookEntities: ents }: ReturnType<typeof pgTables>, schema: string): EventStatements {
  const rows = lifecycle(t, {
    contains: (column, text) => sql`strpos(${column}, ${text}) > 0`,
    inJsonArray: (column, array) => sql`${column} IN (SELECT jsonb_array_elements_text(${array}::jsonb))`,
  })
  const { KEY, DUE, DUE_HERE, dueAt, DUE_ORDER, HELD, inserted, MATCHED, DIGEST_FIRST, claimable, LEASE, WAITING, STATE, COMPLETED, FAILED, RELEASED, STALE, REPLAYED, REPLAYABLE, REQUEUED, RETRYABLE } = rows
  const { requeuedAll, purgeable, listed, bucketStart, COUNT, OLDEST_DUE, HANDLED_IN, recordOf, OF_PURGEABLE } = rows
  const { holdFrom, HOLDING, TAKEABLE, BLOCKED, settled, ENTITY, LET_GO, MINE, idleSince } = entities(t, ents, HELD, {
    excluded: (column) => sql`excluded.${sql.identifier(column.name)}`,
    now: sql`${p('now')}::bigint`,
    noVersion: sql`NULL::double precision`,
  })
  const name = statementName(schema)
  const changed = { id: t.id }
  // As on SQLite: a conflict on either unique key leaves the row alone (no conflict
  // target, so neither raises, and the server logs no unique_violation), then takeOver
  // decides in one conditional statement what the matched row gets.
  const insert = (queue: boolean) => db.insert(t).values(inserted(queue)).onConflictDoNothing().returning(changed).prepare(name(queue ? 'queue' : 'claim'))
  // Under READ COMMITTED a row another claim just leased is re-checked against claimable
  // once that claim commits, so only one of two concurrent takeovers gets it.
  const takeOver = (queue: boolean) =>
    db
      .update(t)
      .set(queue ? WAITING : LEASE)
      .where(and(sql`${t.id} = (${db.select({ id: t.id }).from(t).where(MATCHED).orderBy(DIGEST_FIRST).limit(1)})`, claimable(queue)))
      .returning()
      .prepare(name(queue ? 'take over queued' : 'take over'))
  // SKIP LOCKED: sweepers of other instances take other rows instead of waiting on these.
  // In a CTE, which runs once: as an IN subquery Postgres may run it again for each row,
  // and each run skips the rows this UPDATE just locked, so LIMIT would hold for none.
  const due = db.$with('due').as(db.select({ id: t.id }).from(t).where(DUE_HERE).orderBy(asc(DUE_ORDER)).limit(p('limit')).for('update', { skipLocked: true }))
  const RECORD = recordOf(sql`${p('handler')}::text`, sql`${p('now')}::bigint`)
  const count = async (rows: Promise<unknown[]>) => (await rows).length
  // markHandled() on the pool, or inside a handler's transaction on its connection: one
  // definition, and one statement name, whose text is the same on both.
  // An existing record is kept (an update to itself), so a second call counts the row as well.
  const recorded = (on: PgDb) => {
    const statement = on
      .insert(runs)
      .select(on.select(RECORD.fields).from(t).where(RECORD.where))
      .onConflictDoUpdate({ target: [runs.provider, runs.eventId, runs.handler, runs.generation], set: { completedAt: sql`${runs.completedAt}` } })
      .returning({ handler: runs.handler })
      .prepare(name('markHandled'))
    return (params: Params) => count(statement.execute(params))
  }
  // The row markHandled() writes from, locked until the commit: a takeover (take, takeDue,
  // a claim's takeOver) waits for it and then finds the run's success record.
  const locked = (tx: PgDb) => {
    const statement = tx.select({ id: t.id }).from(t).where(RECORD.where).for('update').prepare(name('lock'))
    return async (params: Params) => (await statement.execute(params)).length === 1
  }
  // settle(): the event's transition and its entity's update in one statement. The entity is
  // updated only once the event's UPDATE took the row (a concurrent takeover is re-checked
  // under the row's lock there), so it never follows a run that lost its event; its version
  // is read from the event row's snapshot, which the transition does not change.
  const settle = (status: 'processed' | 'stale') => {
    const done = db.$with('done').as(db.update(t).set(status === 'processed' ? COMPLETED : STALE).where(HELD).returning(changed))
    const entity = db.$with('entity').as(db.update(ents).set(settled(status)).where(and(ENTITY, exists(db.select().from(done)))))
    return db.with(done, entity).select({ id: done.id }).from(done).prepare(name(`settle ${status}`))
  }
  const prepared = {
    claim: insert(false),
    queue: insert(true),
    takeOver: takeOver(false),
    takeOverQueued: takeOver(true),
    take: db.update(t).set(LEASE).where(and(KEY, DUE)).returning().prepare(name('take')),
    takeDue: db
      .with(due)
      .update(t)
      .set(LEASE)
      .where(and(DUE, inArray(t.id, db.select({ id: due.id }).from(due))))
      .returning()
      .prepare(name('takeDue')),
    handled: db.select({ handler: runs.handler }).from(runs).where(HANDLED_IN(runs)).prepare(name('handled')),
    complete: db.update(t).set(COMPLETED).where(HELD).returning(changed).prepare(name('complete')),
    fail: db.update(t).set(FAILED).where(HELD).returning(changed).prepare(name('fail')),
    release: db.update(t).set(RELEASED).where(HELD).returning(changed).prepare(name('release')),
    replay: db.update(t).set(REPLAYED).where(REPLAYABLE).returning(changed).prepare(name('replay')),
    retry: db.update(t).set(REQUEUED).where(RETRYABLE).returning(changed).prepare(name('retry')),
    get: db.select().from(t).where(KEY).limit(1).prepare(name('get')),
    // Of concurrent holds, one inserts or updates the row; the others wait for its lock and
    // then find TAKEABLE false, returning nothing.
    hold: db
      .insert(ents)
      .select(db.select(holdFrom.fields).from(t).where(holdFrom.where))
      .onConflictDoUpdate({ target: [ents.provider, ents.entityKey], set: HOLDING, setWhere: TAKEABLE })
      .returning({ version: ents.version })
      .prepare(name('hold')),
    blocked: db.select(BLOCKED).from(t).where(KEY).prepare(name('blocked')),
    settleProcessed: settle('processed'),
    settleStale: settle('stale'),
    letGo: db.update(ents).set(LET_GO).where(and(ENTITY, MINE)).prepare(name('letGo')),
  }
  return {
    // Each statement is built on the transaction's connection, so it runs inside it.
    transaction: (body) => db.transaction((tx) => body({ lock: locked(tx), markHandled: recorded(tx) }, tx)),
    insert: async (params, queue) => (await (queue ? prepared.queue : prepared.claim).execute(params)).length === 1,
    takeOver: async (params, queue) => (await (queue ? prepared.takeOverQueued : prepared.takeOver).execute(params))[0],
    take: async (params) => (await prepared.take.execute(params))[0],
    takeDue: (params) => prepared.takeDue.execute(params),
    handled: async (params) => (await prepared.handled.execute(params)).map((r) => r.handler),
    markHandled: recorded(db),
    complete: (params) => count(prepared.complete.execute(params)),
    fail: (params) => count(prepared.fail.execute(params)),
    release: (params) => count(prepared.release.execute(params)),
    replay: (params) => count(prepared.replay.execute(params)),
    retry: (params) => count(prepared.retry.execute(params)),
    entities: {
      hold: async (params) => (await prepared.hold.execute(params))[0],
      blocked: async (params) => (await prepared.blocked.execute(params))[0] ?? { until: null, held: false },
      settle: ({ status, ...params }) => count((status === 'processed' ? prepared.settleProcessed : prepared.settleStale).execute(params)),
      letGo: (params) => prepared.letGo.execute(params),
    },
    requeueAll: (status, now) => count(db.update(t).set(requeuedAll(status, now)).where(eq(t.status, status)).returning(changed)),
    async purge(before, statuses, now) {
      const gone = purgeable(statuses, before, now)
      await db.delete(runs).where(OF_PURGEABLE(runs, gone))
      const deleted = await count(db.delete(t).where(gone).returning(changed))
      await db.delete(ents).where(idleSince(before, now))
      return deleted
    },
    get: async (params) => (await prepared.get.execute(params))[0],
    list: async (filter) =>
      db
        .select({ provider: t.provider, eventId: t.eventId, ...STATE })
        .from(t)
        .where(listed(filter))
        .orderBy(desc(t.receivedAt), desc(t.id))
        .limit(filter.limit ?? 100),
    counts: async () => db.select({ provider: t.provider, status: t.status, count: COUNT }).from(t).groupBy(t.provider, t.status),
    oldestDue: async (now) => (await db.select({ at: OLDEST_DUE }).from(t).where(dueAt(now)))[0]?.at ?? null,
    async activity(since, bucketMs) {
      const start = bucketStart(bucketMs)
      return db.select({ start, status: t.status, count: COUNT }).from(t).where(gte(t.receivedAt, since)).groupBy(start, t.status).orderBy(start)
    },
  }
}
