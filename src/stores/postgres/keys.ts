import { createKeys, keyLifecycle, type KeyStatements } from '../sql/keys.js'
import { afterReady } from '../sql/ready.js'
import type { TransactionalKeys } from '../../store.js'
import type { pgTables } from './schema.js'
import type { PostgresTransaction } from './store.js'
import type { PgDb } from './statements.js'

type Params = Record<string, unknown>

/**
 * The idempotency keys on Postgres: sql/keys.ts's statements, as on SQLite and D1;
 * begin() is one INSERT … ON CONFLICT (scope, key) DO UPDATE … WHERE expires_at <= now OR
 * (locked_until <= now AND fingerprint = $fingerprint) RETURNING, so of concurrent requests on any number of instances exactly one takes a
 * key. Every call first awaits `ready` (connected, migrated).
 */
export function postgresKeys(
  db: PgDb,
  k: ReturnType<typeof pgTables>['idempotencyKeys'],
  name: (statement: string) => string,
  ready: () => Promise<void>,
): TransactionalKeys<PostgresTransaction> {
  const { ID, HELD, inserted, TAKEOVER, FINISHED, SUMMARY, listed, NEWEST_FIRST, expired } = keyLifecycle(k)
  const changed = { key: k.key }
  // finish() on the pool, or inside an endpoint's transaction on its connection.
  const finished = (on: PgDb) => {
    const statement = on.update(k).set(FINISHED).where(HELD).returning(changed).prepare(name('keys finish'))
    return (params: Params) => statement.execute(params)
  }
  // The key's row, locked until the commit: a takeover by a retry of the request waits for
  // it, then finds the answer stored.
  const locked = (tx: PgDb) => {
    const statement = tx.select(changed).from(k).where(HELD).for('update').prepare(name('keys lock'))
    return async (params: Params) => (await statement.execute(params)).length === 1
  }
  const prepared = {
    begin: db.insert(k).values(inserted).onConflictDoUpdate({ target: [k.scope, k.key], ...TAKEOVER }).returning({ token: k.lockToken }).prepare(name('keys begin')),
    release: db.delete(k).where(HELD).returning(changed).prepare(name('keys release')),
    get: db.select().from(k).where(ID).limit(1).prepare(name('keys get')),
  }
  const postgres: KeyStatements = {
    begin: (params) => prepared.begin.execute(params),
    finish: finished(db),
    release: (params) => prepared.release.execute(params),
    get: (params) => prepared.get.execute(params),
    list: async (filter) => db.select(SUMMARY).from(k).where(listed(filter)).orderBy(...NEWEST_FIRST).limit(filter.limit),
    purge: async (now, limit) => db.delete(k).where(expired(now, limit)).returning(changed),
    // Each statement is built on the transaction's connection, so it runs inside it.
    transaction: (body) => db.transaction((tx) => body({ lock: locked(tx), finish: finished(tx) }, tx)),
  }
  // createKeys() keeps transaction() when the statements have one, as these do.
  return createKeys(afterReady(postgres, ready)) as TransactionalKeys<PostgresTransaction>
}
