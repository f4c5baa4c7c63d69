import { and, desc, eq, lte, or, sql, type Column, type SQL, type Table } from 'drizzle-orm'
import { fromBase64, toBase64 } from '../../bytes.js'
import type { BeginResult, IdempotencyKeys, KeyHold, KeyRecord, KeyStatus, KeySummary, StoredResponse, TransactionalKeys } from '../../store.js'
import { v } from './lifecycle.js'

/** The columns of idempotency_keys; the SQLite and the pg table both have them. */
export interface KeyColumns {
  scope: Column
  key: Column
  fingerprint: Column
  method: Column
  path: Column
  status: Column
  lockToken: Column
  expiresAt: Column
  lockedUntil: Column
  responseStatus: Column
  responseHeaders: Column
  responseBody: Column
  createdAt: Column
  updatedAt: Column
}

/** A row as both dialects read it: times as numbers, the body as base64 text. */
export type KeyRow = Omit<KeySummary, 'status'> & {
  status: KeyStatus
  lockToken: string | null
  lockedUntil: number | null
  responseHeaders: string | null
  responseBody: string | null
}

const p = (name: string) => sql.placeholder(name)

/**
 * The key transitions' conditions and sets, once for every dialect, over named
 * parameters: scope, key, fingerprint, method, path, token, now, lockedUntil,
 * expiresAt, responseStatus, responseHeaders, responseBody. A key is forgotten at
 * `expiresAt` (its TTL), running or completed; a running key's lock ends at `lockedUntil`.
 */
export function keyLifecycle<T extends KeyColumns & Table>(k: T) {
  const ID = and(eq(k.scope, p('scope')), eq(k.key, p('key')))!
  const RUNNING = {
    fingerprint: v('fingerprint'),
    method: v('method'),
    path: v('path'),
    status: 'running',
    lockToken: v('token'),
    expiresAt: v('expiresAt'),
    lockedUntil: v('lockedUntil'),
    createdAt: v('now'),
    updatedAt: v('now'),
  } as const
  return {
    ID,
    /** A running key held by `token`: only that run may finish or release it. */
    HELD: and(ID, eq(k.lockToken, p('token')), eq(k.status, 'running'))!,
    /** A new key's row. */
    inserted: { scope: p('scope'), key: p('key'), ...RUNNING } as const,
    /**
     * begin()'s ON CONFLICT (scope, key) DO UPDATE: a forgotten key (past its TTL) is
     * taken over by any request, a run's lock that ran out (the run died or outlived
     * lockMs) only by a retry of the same request; anything else is left alone, so of any
     * number of concurrent requests, in any number of processes, one gets the key.
     */
    TAKEOVER: {
      set: { ...RUNNING, responseStatus: null, responseHeaders: null, responseBody: null },
      setWhere: or(lte(k.expiresAt, p('now')), and(eq(k.status, 'running'), lte(k.lockedUntil, p('now')), eq(k.fingerprint, p('fingerprint')))),
    },
    // The token stays: a response stored in parts is found by it (sqlite-core/keys.ts).
    FINISHED: {
      status: 'completed',
      lockedUntil: null,
      expiresAt: v('expiresAt'),
      responseStatus: v('responseStatus'),
      responseHeaders: v('responseHeaders'),
      responseBody: v('responseBody'),
      updatedAt: v('now'),
    } as const,
    SUMMARY: {
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
    } as { [K in keyof KeySummary & keyof KeyColumns]: T[K] },
    /** list()'s filter: every field given narrows the result. */
    listed(filter: { scope?: string; key?: string; status?: KeyStatus }) {
      const conditions: SQL[] = []
      if (filter.scope !== undefined) conditions.push(eq(k.scope, filter.scope))
      if (filter.key !== undefined) conditions.push(eq(k.key, filter.key))
      if (filter.status !== undefined) conditions.push(eq(k.status, filter.status))
      return and(...conditions)
    },
    NEWEST_FIRST: [desc(k.createdAt), desc(k.key)],
    /**
     * Up to `limit` expired keys, so a purge called from a request never holds a write
     * lock for long. Expiry is checked again on the row deleted: Postgres, under READ
     * COMMITTED, re-reads a row that a takeover changed after the subquery saw it, and
     * only this condition keeps the DELETE off the key that request now holds.
     */
    expired: (now: number, limit: number) =>
      and(sql`(${k.scope}, ${k.key}) in (select ${k.scope}, ${k.key} from ${k} where ${k.expiresAt} <= ${now} limit ${limit})`, lte(k.expiresAt, now))!,
  }
}

/**
 * A conflicting row the insert left alone, read back: what the request gets instead of
 * the key, in TAKEOVER's order (the fingerprint before the lock); undefined when the row
 * changed since and begin() may try again to take the key.
 */
function beginDecision(row: KeyRow, fingerprint: string, now: number): BeginResult | undefined {
  if (row.expiresAt <= now) return undefined
  if (row.fingerprint !== fingerprint) return { outcome: 'mismatch' }
  if (row.status === 'running') return row.lockedUntil !== null && row.lockedUntil <= now ? undefined : { outcome: 'in_flight' }
  const { response } = toRecord(row)
  return response === null ? { outcome: 'in_flight' } : { outcome: 'replay', response }
}

function toRecord({ lockToken: _token, lockedUntil: _lock, responseHeaders, responseBody, ...row }: KeyRow): KeyRecord {
  const response =
    row.responseStatus === null || responseBody === null
      ? null
      : { status: row.responseStatus, headers: JSON.parse(responseHeaders ?? '{}') as Record<string, string>, body: fromBase64(responseBody) }
  return { ...row, response }
}

type Params = Record<string, unknown>

/** A dialect's statements over keyLifecycle(): each runs one statement and resolves to the rows it returned. */
export interface KeyStatements {
  begin(params: Params): Promise<{ token: string | null }[]>
  finish(params: Params): Promise<unknown[]>
  release(params: Params): Promise<unknown[]>
  get(params: Params): Promise<KeyRow[]>
  list(filter: { scope?: string; key?: string; status?: KeyStatus; limit: number }): Promise<KeySummary[]>
  purge(now: number, limit: number): Promise<unknown[]>
  /**
   * Runs `body` in one database transaction, with `lock` and `finish` bound to it and `tx`,
   * the user's drizzle handle on it; commits when `body` resolves, rolls back and rethrows
   * when it throws. Left out where the driver has no interactive transactions (D1).
   */
  transaction?<R>(body: (held: HeldKeyStatements, tx: unknown) => Promise<R>): Promise<R>
}

/** What a key's transaction runs besides the user's statements. */
export interface HeldKeyStatements {
  /** Whether `token` still holds the running key, locking its row until the commit (`FOR UPDATE`; SQLite holds the write lock already). */
  lock(params: Params): Promise<boolean>
  finish(params: Params): Promise<unknown[]>
}

/** finish()'s parameters: the response as the row keeps it. */
const finished = ({ id, token, now, ttl }: KeyHold, response: StoredResponse) => ({
  scope: id.scope,
  key: id.key,
  token,
  now,
  expiresAt: now + ttl,
  responseStatus: response.status,
  responseHeaders: JSON.stringify(response.headers),
  responseBody: toBase64(response.body),
})

/** An answer that is not kept: the transaction rolls back, then the key is released. */
class NotKept<R> {
  constructor(readonly value: R) {}
}

/** The idempotency keys over one dialect's statements: SQLite and D1 (sqlite-core/keys.ts), Postgres (postgres/keys.ts). */
export function createKeys(statements: KeyStatements): IdempotencyKeys & Partial<Pick<TransactionalKeys<unknown>, 'transaction'>> {
  const get = async (id: { scope: string; key: string }) => {
    const [row] = await statements.get({ scope: id.scope, key: id.key })
    return row && toRecord(row)
  }

  const release = async (id: { scope: string; key: string }, token: string) => (await statements.release({ scope: id.scope, key: id.key, token })).length === 1
  const transact = statements.transaction
  const transaction: TransactionalKeys<unknown>['transaction'] | undefined =
    transact &&
    (async (hold, fn, answer) => {
      try {
        return await transact(async (held, tx) => {
          if (hold !== undefined && !(await held.lock({ scope: hold.id.scope, key: hold.id.key, token: hold.token }))) return { held: false }
          const value = await fn(tx)
          if (hold === undefined) return { held: true, value }
          const response = await answer(value)
          if (response === undefined) throw new NotKept(value)
          // Under the row's lock it cannot be refused; if it were, the writes must not commit without their answer.
          if ((await held.finish(finished(hold, response))).length !== 1) throw new Error(`store: the answer was refused under its key's lock`)
          return { held: true, value }
        })
      } catch (error) {
        if (!(error instanceof NotKept)) throw error
        await release(hold!.id, hold!.token)
        return { held: true, value: error.value as Awaited<ReturnType<typeof fn>> }
      }
    })

  return {
    ...(transaction && { transaction }),
    async begin(request, { now, lockMs, ttl }) {
      // A row seen as conflicting may be released or purged before it is read; trying
      // again then takes the key. Bounded: a key that keeps changing hands is in flight.
      for (let tries = 0; tries < 3; tries++) {
        const token = crypto.randomUUID()
        const [taken] = await statements.begin({ ...request, token, now, lockedUntil: now + lockMs, expiresAt: now + ttl })
        if (taken) return { outcome: 'started', token }
        const [row] = await statements.get({ scope: request.scope, key: request.key })
        const decision = row && beginDecision(row, request.fingerprint, now)
        if (decision) return decision
      }
      return { outcome: 'in_flight' }
    },

    async finish(id, token, response, { now, ttl }) {
      return (await statements.finish(finished({ id, token, now, ttl }, response))).length === 1
    },

    release,

    get,

    async list(filter = {}) {
      return statements.list({ ...filter, limit: filter.limit ?? 100 })
    },

    async purge({ now, limit }) {
      return (await statements.purge(now, limit)).length
    },
  }
}
