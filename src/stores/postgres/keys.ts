import type { drizzle } from 'drizzle-orm/node-postgres'
import { createKeys, keyLifecycle, type KeyStatements } from '../sql/keys.js'
import { afterReady } from '../sql/ready.js'
import type { IdempotencyKeys } from '../../store.js'
import type { pgTables } from './schema.js'

/**
 * The idempotency keys on Postgres: sql/keys.ts's statements, as on SQLite and D1;
 * begin() is one INSERT … ON CONFLICT (scope, key) DO UPDATE … WHERE expires_at <= now OR
 * (locked_until <= now AND fingerprint = $fingerprint) RETURNING, so of concurrent requests on any number of instances exactly one takes a
 * key. Every call first awaits `ready` (connected, migrated).
 */
export function postgresKeys(
  db: ReturnType<typeof drizzle>,
  k: ReturnType<typeof pgTables>['idempotencyKeys'],
  name: (statement: string) => string,
  ready: () => Promise<void>,
): IdempotencyKeys {
  const { ID, HELD, inserted, TAKEOVER, FINISHED, SUMMARY, listed, NEWEST_FIRST, expired } = keyLifecycle(k)
  const changed = { key: k.key }
  const prepared = {
    begin: db.insert(k).values(inserted).onConflictDoUpdate({ target: [k.scope, k.key], ...TAKEOVER }).returning({ token: k.lockToken }).prepare(name('keys begin')),
    finish: db.update(k).set(FINISHED).where(HELD).returning(changed).prepare(name('keys finish')),
    release: db.delete(k).where(HELD).returning(changed).prepare(name('keys release')),
    get: db.select().from(k).where(ID).limit(1).prepare(name('keys get')),
  }
  const postgres: KeyStatements = {
    begin: (params) => prepared.begin.execute(params),
    finish: (params) => prepared.finish.execute(params),
    release: (params) => prepared.release.execute(params),
    get: (params) => prepared.get.execute(params),
    list: async (filter) => db.select(SUMMARY).from(k).where(listed(filter)).orderBy(...NEWEST_FIRST).limit(filter.limit),
    purge: async (now, limit) => db.delete(k).where(expired(now, limit)).returning(changed),
  }
  return createKeys(afterReady(postgres, ready))
}
