import { and, asc, eq, lte, notExists, sql } from 'drizzle-orm'
import type { MySql2Database } from 'drizzle-orm/mysql2'
import type { ResultSetHeader } from 'mysql2'
import { PART_LENGTH, splitBody } from '../sql/body-parts.js'
import { createKeys, keyLifecycle, type KeyRow, type KeyStatements } from '../sql/keys.js'
import { afterReady } from '../sql/ready.js'
import type { TransactionalKeys } from '../../store.js'
import { heldTransaction, isDuplicate, type MysqlDb, retryTransient } from './connection.js'
import { idempotencyKeyParts as parts, idempotencyKeys as k } from './schema.js'
import type { MysqlTransaction } from './store.js'

type Params = Record<string, unknown>

/** KeyStatements resolve to the rows a statement returned; without RETURNING, one stand-in per row it changed. */
const changed = async (result: Promise<[ResultSetHeader, unknown]>) => Array.from({ length: (await result)[0].affectedRows }, () => ({}))

/**
 * The idempotency keys on MySQL/MariaDB: sql/keys.ts's conditions and sets, as on
 * the other stores. Without RETURNING (or a WHERE on ON DUPLICATE KEY UPDATE), begin() is
 * an INSERT, and on a duplicate key one UPDATE … WHERE expires_at <= now that takes an
 * expired key over; each statement is atomic, so of concurrent requests on any number of
 * instances exactly one takes a key. A response body over one part is stored in parts, as
 * on SQLite (a value over max_allowed_packet could be neither written nor read): the parts
 * first, under the run's token, then the row that points at them.
 */
export function mysqlKeys(db: MySql2Database, ready: () => Promise<void>): TransactionalKeys<MysqlTransaction> {
  const { ID, HELD, inserted, TAKEOVER, FINISHED, SUMMARY, listed, NEWEST_FIRST } = keyLifecycle(k)
  // finish() on the pool, or inside an endpoint's transaction on its connection: the
  // body's parts first, then the row that points at them.
  const finished = (on: MysqlDb) => {
    const part = on
      .insert(parts)
      .values({ scope: sql.placeholder('scope'), key: sql.placeholder('key'), token: sql.placeholder('token'), part: sql.placeholder('part'), data: sql.placeholder('data') })
      .prepare()
    const finish = on.update(k).set({ ...FINISHED, responseParts: sql`${sql.placeholder('responseParts')}` }).where(HELD).prepare()
    return async (params: Params) => {
      const body = params.responseBody as string
      const [first = '', ...rest] = body.length > PART_LENGTH ? splitBody(body) : [body]
      for (const [i, data] of rest.entries()) await part.execute({ ...params, part: i + 1, data })
      return changed(finish.execute({ ...params, responseBody: first, responseParts: rest.length + 1 }))
    }
  }
  const prepared = {
    insert: db.insert(k).values(inserted).prepare(),
    takeOver: db.update(k).set({ ...TAKEOVER.set, responseParts: 1 }).where(and(ID, TAKEOVER.setWhere)).prepare(),
    release: db.delete(k).where(HELD).prepare(),
    get: db.select().from(k).where(ID).limit(1).prepare(),
    // By the token read with the row, not the row's token now: a key taken over between
    // the two reads must not lend the old answer another run's parts.
    parts: db
      .select({ data: parts.data })
      .from(parts)
      .where(and(eq(parts.scope, sql.placeholder('scope')), eq(parts.key, sql.placeholder('key')), eq(parts.token, sql.placeholder('token'))))
      .orderBy(asc(parts.part))
      .prepare(),
  }
  const statements: KeyStatements = {
    // A deadlock's victim (an INSERT beside a purge's DELETE … LIMIT) was rolled back whole: run it again.
    begin: (params) =>
      retryTransient(async () => {
        const taken = [{ token: params.token as string }]
        try {
          await prepared.insert.execute(params)
          return taken
        } catch (error) {
          if (!isDuplicate(error)) throw error
        }
        return (await changed(prepared.takeOver.execute(params))).length === 1 ? taken : []
      }),
    finish: finished(db),
    release: (params) => changed(prepared.release.execute(params)),
    async get(params) {
      const [row] = await prepared.get.execute(params)
      if (row === undefined) return []
      const { responseParts, ...record } = row
      // The parts a completed key's token names: written before its row, never changed after.
      const rest = responseParts > 1 && record.responseBody !== null ? (await prepared.parts.execute({ ...params, token: record.lockToken })).map((p) => p.data) : []
      return [{ ...record, responseBody: record.responseBody === null ? null : record.responseBody + rest.join('') } as KeyRow]
    },
    list: (filter) => db.select(SUMMARY).from(k).where(listed(filter)).orderBy(...NEWEST_FIRST).limit(filter.limit),
    // DELETE … LIMIT: MySQL allows no LIMIT in an IN subquery, so not sql/keys.ts's expired().
    async purge(now, limit) {
      const deleted = await retryTransient(() => changed(db.delete(k).where(lte(k.expiresAt, now)).orderBy(k.expiresAt).limit(limit).execute()))
      // The parts of the keys just purged, of keys taken over since, and of runs whose finish lost.
      await retryTransient(() =>
        db.delete(parts).where(notExists(db.select({ key: k.key }).from(k).where(and(eq(k.scope, parts.scope), eq(k.key, parts.key), eq(k.lockToken, parts.token))))),
      )
      return deleted
    },
    // Built on the transaction's connection, so they run inside it.
    transaction: (body) =>
      heldTransaction(db, (tx, first) => {
        // The key's row, locked until the commit: a retry of the request waits for it, then
        // finds the answer stored.
        const lock = tx.select({ key: k.key }).from(k).where(HELD).for('update').prepare()
        return body({ lock: async (params) => (await first(lock.execute(params))).length === 1, finish: finished(tx) }, tx)
      }),
  }
  // createKeys() keeps transaction() when the statements have one, as these do.
  return createKeys(afterReady(statements, ready)) as TransactionalKeys<MysqlTransaction>
}
