import { and, asc, eq, notExists, sql } from 'drizzle-orm'
import type { BaseSQLiteDatabase } from 'drizzle-orm/sqlite-core'
import { isPromise, PART_LENGTH, splitBody } from '../sql/body-parts.js'
import { createKeys, keyLifecycle, type KeyRow, type KeyStatements } from '../sql/keys.js'
import { idempotencyKeyParts as parts, idempotencyKeys as k } from './schema.js'
import type { IdempotencyKeys, TransactionalKeys } from '../../store.js'
import type { Exclusive } from './events.js'

// Shared by better-sqlite3 and D1, like events.ts; the transitions themselves are
// sql/keys.ts's, shared with Postgres (postgres/keys.ts). Each is one statement:
//
//   begin:   INSERT INTO idempotency_keys (…) VALUES (…, 'running', $token, $now + $ttl, $now + $lockMs, …)
//            ON CONFLICT (scope, key) DO UPDATE SET … status = 'running', lock_token = excluded.lock_token,
//              response_status = NULL, response_headers = NULL, response_body = NULL, …
//            WHERE expires_at <= $now OR (status = 'running' AND locked_until <= $now AND fingerprint = $fingerprint)
//            RETURNING lock_token
//   finish:  UPDATE … SET status = 'completed', locked_until = NULL, expires_at = $now + $ttl, response_… = …
//            WHERE scope = $1 AND key = $2 AND lock_token = $3 AND status = 'running' RETURNING key
//   release: DELETE … WHERE scope = $1 AND key = $2 AND lock_token = $3 AND status = 'running' RETURNING key
//   purge:   DELETE … WHERE (scope, key) IN (SELECT scope, key … WHERE expires_at <= $now LIMIT $limit)
//              AND expires_at <= $now RETURNING key
//
// and beginDecision() on the row it reads when the insert returned nothing. A response
// body over one D1 value is stored as webhook events' bodies are (sql/body-parts.ts): the
// parts first, under the run's token, then the row that points at them.
type AnySqliteDb = BaseSQLiteDatabase<'sync' | 'async', any>

function prepareStatements(db: AnySqliteDb) {
  const { ID, HELD, inserted, TAKEOVER, FINISHED } = keyLifecycle(k)
  const changed = { key: k.key }
  const takeover = { ...TAKEOVER, set: { ...TAKEOVER.set, responseParts: 1 } }
  const OWN_PARTS = and(eq(parts.scope, k.scope), eq(parts.key, k.key), eq(parts.token, k.lockToken))
  return {
    begin: db.insert(k).values(inserted).onConflictDoUpdate({ target: [k.scope, k.key], ...takeover }).returning({ token: k.lockToken }).prepare(),
    part: db
      .insert(parts)
      .values({ scope: sql.placeholder('scope'), key: sql.placeholder('key'), token: sql.placeholder('token'), part: sql.placeholder('part'), data: sql.placeholder('data') })
      .prepare(),
    finish: db
      .update(k)
      .set({ ...FINISHED, responseParts: sql`${sql.placeholder('responseParts')}` })
      .where(HELD)
      .returning(changed)
      .prepare(),
    release: db.delete(k).where(HELD).returning(changed).prepare(),
    held: db.select(changed).from(k).where(HELD).prepare(),
    // One statement, so the row and its parts are read from one snapshot.
    get: db.select({ row: k, data: parts.data }).from(k).leftJoin(parts, OWN_PARTS).where(ID).orderBy(asc(parts.part)).prepare(),
    orphanParts: db
      .delete(parts)
      .where(notExists(db.select({ key: k.key }).from(k).where(and(eq(k.scope, parts.scope), eq(k.key, parts.key), eq(k.lockToken, parts.token)))))
      .prepare(),
  }
}

/** The idempotency keys over any drizzle SQLite database with the schema applied; with `exclusive`, endpoints' transactions too. */
export function createSqlKeys(db: AnySqliteDb, exclusive?: Exclusive): IdempotencyKeys & Partial<Pick<TransactionalKeys<unknown>, 'transaction'>> {
  const { SUMMARY, listed, NEWEST_FIRST, expired } = keyLifecycle(k)
  let prepared: ReturnType<typeof prepareStatements> | undefined
  const statements = () => (prepared ??= prepareStatements(db))
  const sqlite: KeyStatements = {
    begin: async (params) => statements().begin.all(params),
    async finish(params) {
      const body = params.responseBody as string
      const [first = '', ...rest] = body.length > PART_LENGTH ? splitBody(body) : [body]
      // On better-sqlite3 these run at once, inside the caller's group commit; on D1 the
      // parts are awaited, so the row never points at parts not yet written.
      const written = rest.map((data, i) => statements().part.run({ ...params, part: i + 1, data }))
      if (written.some(isPromise)) await Promise.all(written)
      return statements().finish.all({ ...params, responseBody: first, responseParts: rest.length + 1 })
    },
    release: async (params) => statements().release.all(params),
    async get(params) {
      const rows = await statements().get.all(params)
      if (rows.length === 0) return []
      const { responseParts: _parts, ...row } = rows[0]!.row
      const responseBody = row.responseBody === null ? null : row.responseBody + rows.map((r) => r.data ?? '').join('')
      return [{ ...row, responseBody } as KeyRow]
    },
    list: async (filter) => db.select(SUMMARY).from(k).where(listed(filter)).orderBy(...NEWEST_FIRST).limit(filter.limit).all(),
    async purge(now, limit) {
      const deleted = await db.delete(k).where(expired(now, limit)).returning({ key: k.key }).all()
      // The parts of the keys just purged, of keys taken over since, and of runs whose finish lost.
      await statements().orphanParts.run()
      return deleted
    },
  }
  if (exclusive) {
    const held = { lock: async (params: Record<string, unknown>) => (await statements().held.all(params)).length === 1, finish: sqlite.finish }
    sqlite.transaction = (body) => exclusive(() => body(held, db))
  }
  return createKeys(sqlite)
}
