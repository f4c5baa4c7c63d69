import { drizzle } from 'drizzle-orm/mysql2'
import type { Pool } from 'mysql2/promise'
import { WebhookError } from '../../errors.js'
import { PART_LENGTH, splitBody } from '../sql/body-parts.js'
import { toStored } from '../sql/lifecycle.js'
import type { ClaimResult, KeyStore, NewEvent, Store, StoredEvent } from '../../store.js'
import { createPool, describePool, mysqlError, parseUri } from './connection.js'
import { mysqlKeys } from './keys.js'
import { migrateMysql } from './migrate.js'
import { afterReady } from './ready.js'
import { mysqlStatements, type MysqlStatements, type Row } from './statements.js'

export type MysqlConnection =
  /** A pool of at most `poolMax` (default 10) connections, owned and ended by the store. */
  | { uri: string; poolMax?: number; pool?: never }
  /** Your own `mysql2/promise` pool (your TLS, limits and proxy): `close()` leaves it open. */
  | { pool: Pool; uri?: never; poolMax?: never }

export type MysqlStoreOptions = MysqlConnection & {
  /** Apply pending migrations on first use (default). `false` when you run `webhook-inbox migrate` yourself. */
  migrate?: boolean
}

export interface MysqlStore extends Store, KeyStore {
  readonly pool: Pool
  /**
   * Connects and applies pending migrations now instead of on the first call, so a
   * wrong URL or an unreachable server fails at start-up. Every method awaits it.
   */
  ready(): Promise<void>
}

/** A new row's state, as the INSERT wrote it: the caller needs no read back. */
function insertedState(queue: boolean, now: number, lockedUntil: number) {
  return {
    status: queue ? 'received' : 'processing',
    attempts: queue ? 0 : 1,
    attemptBase: 0,
    replay: false,
    replays: 0,
    lockedUntil: queue ? null : lockedUntil,
    nextAttemptAt: queue ? now : null,
    lastError: null,
    receivedAt: now,
    processedAt: null,
    updatedAt: now,
  } as const
}

/** The store methods over the dialect's statements, before readiness is awaited. */
function events(statements: MysqlStatements): Omit<Store, 'close' | 'onDue'> {
  /** The row with its whole body: the first part is in the row, the rest (rarely any) beside it. */
  async function withBody(row: Row | undefined): Promise<StoredEvent | undefined> {
    if (row === undefined) return undefined
    const stored = toStored(row)
    if (row.bodyParts > 1) stored.body = row.body + (await statements.parts(row.digest, row.bodyParts)).join('')
    return stored
  }

  return {
    async claim(event: NewEvent, { now, leaseMs, queue = false }): Promise<ClaimResult> {
      const [first = '', ...rest] = event.body.length > PART_LENGTH ? splitBody(event.body) : [event.body]
      const digest = event.digest ?? null
      if (rest.length > 0 && digest === null) throw new TypeError('store.claim(): a body over one part needs its digest')
      // The parts first, the row that points at them last.
      for (const [i, data] of rest.entries()) await statements.part({ digest, part: i + 1, data, now })
      const lockedUntil = now + leaseMs
      const params = { ...event, body: first, bodyParts: rest.length + 1, digest, headers: JSON.stringify(event.headers), now, lockedUntil }
      if (await statements.insert(params, queue)) {
        return { outcome: queue ? 'queued' : 'claimed', event: { ...event, digest, ...insertedState(queue, now, lockedUntil) }, inserted: true }
      }
      const row = await withBody(await statements.takeOver(params, queue))
      if (!row) return { outcome: 'duplicate' }
      return { outcome: row.status === 'received' ? 'queued' : 'claimed', event: row, inserted: false }
    },
    take: async (key, { now, leaseMs }) => withBody(await statements.take({ ...key, now, lockedUntil: now + leaseMs })),
    async takeDue({ now, leaseMs, limit, providers }) {
      const rows = await statements.takeDue({ now, lockedUntil: now + leaseMs, limit, providers: JSON.stringify(providers) })
      return Promise.all(rows.map(async (row) => (await withBody(row))!))
    },
    due: (now, limit) => statements.due({ now, limit }),
    complete: async (key, attempt, now) => (await statements.complete({ ...key, attempt, now })) === 1,
    async fail(key, attempt, { error, nextAttemptAt, now }) {
      const status = nextAttemptAt === null ? 'dead' : 'failed'
      return (await statements.fail({ ...key, attempt, now, status, error, nextAttemptAt })) === 1
    },
    requeue: async (key, { now, reason }) => (await (reason === 'replay' ? statements.replay : statements.revive)({ ...key, now })) === 1,
    requeueAll: (status, now) => statements.requeueAll(status, now),
    release: async (key, attempt, now) => (await statements.release({ ...key, attempt, now })) === 1,
    purge: async ({ before, statuses, now }) => (statuses.length === 0 ? 0 : statements.purge(before, [...statuses], now)),
    get: async (key) => withBody(await statements.get({ ...key })),
    list: async (filter = {}) => statements.list(filter),
    async stats(now) {
      const [counts, oldestDueAt] = await Promise.all([statements.counts(), statements.oldestDue(now)])
      return { counts, oldestDueAt }
    },
    activity: async (since, bucketMs) => statements.activity(since, bucketMs),
  }
}

/**
 * The store for many instances on MySQL ≥ 8 or MariaDB ≥ 10.6, through drizzle and
 * mysql2, with the idempotency keys (`store.keys`) beside the events. Same lifecycle and
 * fencing as the other stores; the sweeper's batch take uses `FOR UPDATE SKIP LOCKED`.
 * There is no LISTEN/NOTIFY, so no `onDue`: sweepers find queued events by polling.
 * Migrations from drizzle-mysql/ are applied on first use under GET_LOCK (`migrate:
 * false` to run them yourself).
 *
 * During a database outage every call rejects (deliveries are answered 503) and the
 * pool reconnects on its own once the server is back.
 *
 * @example
 * mysqlStore({ uri: process.env.DATABASE_URL })
 */
export function mysqlStore(options: MysqlStoreOptions): MysqlStore {
  const ownPool = options.pool === undefined
  let pool: Pool
  if (options.pool !== undefined) pool = options.pool
  else {
    const target = parseUri(options.uri ?? '')
    if (target === undefined) throw new TypeError('[webhook-inbox] mysql: uri must be a mysql:// URL (mysql://user:password@host:3306/database)')
    pool = createPool(target, options.poolMax ?? 10)
  }
  const target = describePool(pool)
  let closed = false

  let readying: Promise<void> | undefined
  function ready(): Promise<void> {
    if (closed) return Promise.reject(new WebhookError('store_unavailable', 'mysql: the store is closed'))
    return (readying ??= (options.migrate === false ? pool.query('SELECT 1').then(() => {}) : migrateMysql(pool)).catch((cause: unknown) => {
      // Not cached: an outage at start-up must not outlive the outage.
      readying = undefined
      const { code, message } = mysqlError(cause)
      throw new WebhookError('store_unavailable', `mysql: cannot use ${target} (${code ?? 'error'}: ${message ?? String(cause)})`, { cause })
    }))
  }

  const db = drizzle({ client: pool })
  return {
    ...afterReady(events(mysqlStatements(db)), ready),
    pool,
    ready,
    keys: mysqlKeys(db, ready),
    async close() {
      if (closed) return
      closed = true
      if (ownPool) await pool.end()
    },
  }
}
