import { and, desc, eq, lte, sql, type SQL } from 'drizzle-orm'
import type { BaseSQLiteDatabase } from 'drizzle-orm/sqlite-core'
import { fromBase64, toBase64 } from '../bytes.js'
import { idempotencyKeys as k } from './schema.js'
import type { BeginResult, IdempotencyKeys, KeyRecord, KeySummary } from './types.js'

// Shared by better-sqlite3 and D1, like sql-store.ts. A Postgres driver needs the same
// table (pg-core: text columns, bigint for the times, PRIMARY KEY (scope, key), an
// index on expires_at) and the same four statements, which Postgres accepts as written:
//
//   begin:   INSERT INTO idempotency_keys (scope, key, fingerprint, method, path, status,
//              lock_token, expires_at, created_at, updated_at)
//            VALUES ($1, $2, $3, $4, $5, 'running', $6, $7 + $8, $7, $7)
//            ON CONFLICT (scope, key) DO UPDATE SET fingerprint = excluded.fingerprint,
//              method = excluded.method, path = excluded.path, status = 'running',
//              lock_token = excluded.lock_token, expires_at = excluded.expires_at,
//              response_status = NULL, response_headers = NULL, response_body = NULL,
//              created_at = excluded.created_at, updated_at = excluded.updated_at
//            WHERE idempotency_keys.expires_at <= $7
//            RETURNING lock_token
//   finish:  UPDATE idempotency_keys SET status = 'completed', lock_token = NULL, expires_at = $now + $ttl,
//              response_status = …, response_headers = …, response_body = …, updated_at = $now
//            WHERE scope = $1 AND key = $2 AND lock_token = $3 RETURNING key
//   release: DELETE FROM idempotency_keys WHERE scope = $1 AND key = $2 AND lock_token = $3 RETURNING key
//   purge:   DELETE FROM idempotency_keys WHERE (scope, key) IN
//              (SELECT scope, key FROM idempotency_keys WHERE expires_at <= $now LIMIT $limit) RETURNING key
//
// and beginDecision() below, exported for it, on the row it reads when the insert returned nothing.
type AnySqliteDb = BaseSQLiteDatabase<'sync' | 'async', any>

type Row = typeof k.$inferSelect

const p = (name: string) => sql.placeholder(name)
const v = (name: string) => sql`${sql.placeholder(name)}`
const ID = and(eq(k.scope, p('scope')), eq(k.key, p('key')))
const HELD = and(ID, eq(k.lockToken, p('token')))

const SUMMARY = {
  scope: k.scope,
  key: k.key,
  fingerprint: k.fingerprint,
  method: k.method,
  path: k.path,
  status: k.status,
  expiresAt: k.expiresAt,
  responseStatus: k.responseStatus,
  createdAt: k.createdAt,
  updatedAt: k.updatedAt,
}

/** A conflicting row the insert left alone, read back: what the request gets instead of the key. */
export function beginDecision(row: Pick<Row, 'fingerprint' | 'status'> & { response: KeyRecord['response'] }, fingerprint: string): BeginResult {
  if (row.fingerprint !== fingerprint) return { outcome: 'mismatch' }
  if (row.status === 'running' || row.response === null) return { outcome: 'in_flight' }
  return { outcome: 'replay', response: row.response }
}

function toRecord({ lockToken: _token, responseHeaders, responseBody, ...row }: Row): KeyRecord {
  const response =
    row.responseStatus === null || responseBody === null
      ? null
      : { status: row.responseStatus, headers: JSON.parse(responseHeaders ?? '{}') as Record<string, string>, body: fromBase64(responseBody) }
  return { ...row, response }
}

function prepareStatements(db: AnySqliteDb) {
  const changed = { key: k.key }
  const running = {
    fingerprint: v('fingerprint'),
    method: v('method'),
    path: v('path'),
    status: 'running',
    lockToken: v('token'),
    expiresAt: v('lockedUntil'),
    createdAt: v('now'),
    updatedAt: v('now'),
  } as const
  return {
    // One statement decides who runs: a new key is inserted, an expired one (a stored
    // response past its TTL, or the lock of a run that died) is taken over, and a live
    // one is left alone, so of any number of concurrent requests, in any number of
    // processes, exactly one gets the key.
    begin: db
      .insert(k)
      .values({ scope: p('scope'), key: p('key'), ...running })
      .onConflictDoUpdate({
        target: [k.scope, k.key],
        set: { ...running, responseStatus: null, responseHeaders: null, responseBody: null },
        setWhere: lte(k.expiresAt, p('now')),
      })
      .returning({ token: k.lockToken })
      .prepare(),
    finish: db
      .update(k)
      .set({
        status: 'completed',
        lockToken: null,
        expiresAt: v('expiresAt'),
        responseStatus: v('responseStatus'),
        responseHeaders: v('responseHeaders'),
        responseBody: v('responseBody'),
        updatedAt: v('now'),
      })
      .where(and(HELD, eq(k.status, 'running')))
      .returning(changed)
      .prepare(),
    release: db.delete(k).where(and(HELD, eq(k.status, 'running'))).returning(changed).prepare(),
    get: db.select().from(k).where(ID).limit(1).prepare(),
  }
}

/** The idempotency keys over any drizzle SQLite database with the schema applied. */
export function createSqlKeys(db: AnySqliteDb): IdempotencyKeys {
  let prepared: ReturnType<typeof prepareStatements> | undefined
  const statements = () => (prepared ??= prepareStatements(db))
  const get = async (id: { scope: string; key: string }) => {
    const rows: Row[] = await statements().get.all(id)
    return rows[0] && toRecord(rows[0])
  }

  return {
    async begin(request, { now, lockMs }) {
      // A row seen as conflicting may be released or purged before it is read; trying
      // again then takes the key. Bounded: a key that keeps changing hands is in flight.
      for (let tries = 0; tries < 3; tries++) {
        const token = crypto.randomUUID()
        const [taken] = await statements().begin.all({ ...request, token, now, lockedUntil: now + lockMs })
        if (taken) return { outcome: 'started', token }
        const row = await get(request)
        if (row && row.expiresAt > now) return beginDecision(row, request.fingerprint)
      }
      return { outcome: 'in_flight' }
    },

    async finish(id, token, response, { now, ttl }) {
      const rows = await statements().finish.all({
        ...id,
        token,
        now,
        expiresAt: now + ttl,
        responseStatus: response.status,
        responseHeaders: JSON.stringify(response.headers),
        responseBody: toBase64(response.body),
      })
      return rows.length === 1
    },

    async release(id, token) {
      return (await statements().release.all({ ...id, token })).length === 1
    },

    get,

    async list(filter = {}) {
      const conditions: SQL[] = []
      if (filter.scope !== undefined) conditions.push(eq(k.scope, filter.scope))
      if (filter.status !== undefined) conditions.push(eq(k.status, filter.status))
      const rows: KeySummary[] = await db
        .select(SUMMARY)
        .from(k)
        .where(and(...conditions))
        .orderBy(desc(k.createdAt), desc(k.key))
        .limit(filter.limit ?? 100)
        .all()
      return rows
    },

    async purge({ now, limit }) {
      // Bounded, so a purge called from a request never holds the write lock for long.
      const expired = sql`(${k.scope}, ${k.key}) in (select scope, key from idempotency_keys where expires_at <= ${now} limit ${limit})`
      return (await db.delete(k).where(expired).returning({ key: k.key }).all()).length
    },
  }
}
