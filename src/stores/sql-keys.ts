import type { BaseSQLiteDatabase } from 'drizzle-orm/sqlite-core'
import { createKeys, keyLifecycle, type KeyStatements } from './key-lifecycle.js'
import { idempotencyKeys as k } from './schema.js'
import type { IdempotencyKeys } from './types.js'

// Shared by better-sqlite3 and D1, like sql-store.ts; the transitions themselves are
// key-lifecycle.ts's, shared with Postgres (postgres/keys.ts). Each is one statement:
//
//   begin:   INSERT INTO idempotency_keys (…) VALUES (…, 'running', $token, $now + $lockMs, $now, $now)
//            ON CONFLICT (scope, key) DO UPDATE SET … status = 'running', lock_token = excluded.lock_token,
//              response_status = NULL, response_headers = NULL, response_body = NULL, …
//            WHERE idempotency_keys.expires_at <= $now
//            RETURNING lock_token
//   finish:  UPDATE … SET status = 'completed', lock_token = NULL, expires_at = $now + $ttl, response_… = …
//            WHERE scope = $1 AND key = $2 AND lock_token = $3 AND status = 'running' RETURNING key
//   release: DELETE … WHERE scope = $1 AND key = $2 AND lock_token = $3 AND status = 'running' RETURNING key
//   purge:   DELETE … WHERE (scope, key) IN (SELECT scope, key … WHERE expires_at <= $now LIMIT $limit) RETURNING key
//
// and beginDecision() on the row it reads when the insert returned nothing.
type AnySqliteDb = BaseSQLiteDatabase<'sync' | 'async', any>

function prepareStatements(db: AnySqliteDb) {
  const { ID, HELD, inserted, TAKEOVER, FINISHED } = keyLifecycle(k)
  const changed = { key: k.key }
  return {
    begin: db.insert(k).values(inserted).onConflictDoUpdate({ target: [k.scope, k.key], ...TAKEOVER }).returning({ token: k.lockToken }).prepare(),
    finish: db.update(k).set(FINISHED).where(HELD).returning(changed).prepare(),
    release: db.delete(k).where(HELD).returning(changed).prepare(),
    get: db.select().from(k).where(ID).limit(1).prepare(),
  }
}

/** The idempotency keys over any drizzle SQLite database with the schema applied. */
export function createSqlKeys(db: AnySqliteDb): IdempotencyKeys {
  const { SUMMARY, listed, NEWEST_FIRST, expired } = keyLifecycle(k)
  let prepared: ReturnType<typeof prepareStatements> | undefined
  const statements = () => (prepared ??= prepareStatements(db))
  const sqlite: KeyStatements = {
    begin: async (params) => statements().begin.all(params),
    finish: async (params) => statements().finish.all(params),
    release: async (params) => statements().release.all(params),
    get: async (params) => statements().get.all(params),
    list: async (filter) => db.select(SUMMARY).from(k).where(listed(filter)).orderBy(...NEWEST_FIRST).limit(filter.limit).all(),
    purge: async (now, limit) => db.delete(k).where(expired(now, limit)).returning({ key: k.key }).all(),
  }
  return createKeys(sqlite)
}
