import { and, lte } from 'drizzle-orm'
import type { MySql2Database } from 'drizzle-orm/mysql2'
import type { ResultSetHeader } from 'mysql2'
import { createKeys, keyLifecycle, type KeyStatements } from '../sql/keys.js'
import { afterReady } from '../sql/ready.js'
import type { IdempotencyKeys } from '../../store.js'
import { isDuplicate, retryTransient } from './connection.js'
import { idempotencyKeys as k } from './schema.js'

/** KeyStatements resolve to the rows a statement returned; without RETURNING, one stand-in per row it changed. */
const changed = async (result: Promise<[ResultSetHeader, unknown]>) => Array.from({ length: (await result)[0].affectedRows }, () => ({}))

/**
 * The idempotency keys on MySQL/MariaDB: sql/keys.ts's conditions and sets, as on
 * the other stores. Without RETURNING (or a WHERE on ON DUPLICATE KEY UPDATE), begin() is
 * an INSERT, and on a duplicate key one UPDATE … WHERE expires_at <= now that takes an
 * expired key over; each statement is atomic, so of concurrent requests on any number of
 * instances exactly one takes a key.
 */
export function mysqlKeys(db: MySql2Database, ready: () => Promise<void>): IdempotencyKeys {
  const { ID, HELD, inserted, TAKEOVER, FINISHED, SUMMARY, listed, NEWEST_FIRST } = keyLifecycle(k)
  const prepared = {
    insert: db.insert(k).values(inserted).prepare(),
    takeOver: db.update(k).set(TAKEOVER.set).where(and(ID, TAKEOVER.setWhere)).prepare(),
    finish: db.update(k).set(FINISHED).where(HELD).prepare(),
    release: db.delete(k).where(HELD).prepare(),
    get: db.select().from(k).where(ID).limit(1).prepare(),
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
    finish: (params) => changed(prepared.finish.execute(params)),
    release: (params) => changed(prepared.release.execute(params)),
    get: (params) => prepared.get.execute(params),
    list: (filter) => db.select(SUMMARY).from(k).where(listed(filter)).orderBy(...NEWEST_FIRST).limit(filter.limit),
    // DELETE … LIMIT: MySQL allows no LIMIT in an IN subquery, so not sql/keys.ts's expired().
    purge: (now, limit) => retryTransient(() => changed(db.delete(k).where(lte(k.expiresAt, now)).orderBy(k.expiresAt).limit(limit).execute())),
  }
  return createKeys(afterReady(statements, ready))
}
