import { drizzle, type MySql2Database } from 'drizzle-orm/mysql2'
import type { Pool } from 'mysql2/promise'
import { WebhookError } from '../../errors.js'
import { createEvents } from '../sql/events.js'
import { afterReady, readiness } from '../sql/ready.js'
import type { KeyStore, OrderedStore, TransactionalKeys, TransactionalStore } from '../../store.js'
import { createPool, describePool, mysqlError, parseUri } from './connection.js'
import { mysqlKeys } from './keys.js'
import { migrateMysql } from './migrate.js'
import { mysqlStatements } from './statements.js'

export type MysqlConnection =
  /** A pool of at most `poolMax` (default 10) connections, owned and ended by the store. */
  | { uri: string; poolMax?: number; pool?: never }
  /** Your own `mysql2/promise` pool (your TLS, limits and proxy): `close()` leaves it open. */
  | { pool: Pool; uri?: never; poolMax?: never }

export type MysqlStoreOptions = MysqlConnection & {
  /** Apply pending migrations on first use (default). `false` when you run `webhook-inbox migrate` yourself. */
  migrate?: boolean
}

export interface MysqlStore extends TransactionalStore<MysqlTransaction>, OrderedStore, KeyStore {
  readonly pool: Pool
  readonly keys: TransactionalKeys<MysqlTransaction>
  /**
   * Connects and applies pending migrations now instead of on the first call, so a
   * wrong URL or an unreachable server fails at start-up. Every method awaits it.
   */
  ready(): Promise<void>
}

/**
 * What `ctx.transaction(fn)` and an idempotent endpoint's `transaction(fn)` hand `fn` on
 * MySQL and MariaDB: drizzle's mysql2 transaction, on one connection of the store's pool
 * inside BEGIN … COMMIT at the server's default isolation (REPEATABLE READ unless you
 * changed it), with the event's (or the key's) row locked `FOR UPDATE` until the commit.
 * A deadlock in `fn` rolls it all back and rejects: nothing in it is run again.
 */
export type MysqlTransaction = Parameters<Parameters<MySql2Database['transaction']>[0]>[0]

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

  const ready = readiness(
    'mysql',
    () => (options.migrate === false ? pool.query('SELECT 1') : migrateMysql(pool)),
    (cause) => {
      const { code, message } = mysqlError(cause)
      return new WebhookError('store_unavailable', `mysql: cannot use ${target} (${code ?? 'error'}: ${message ?? String(cause)})`, { cause })
    },
    () => closed,
  )

  const db = drizzle({ client: pool })
  // createEvents() keeps transaction() when the statements have one, as MySQL's do.
  const events = createEvents(mysqlStatements(db)) as Omit<TransactionalStore<MysqlTransaction> & OrderedStore, 'close' | 'onDue'>
  return {
    ...afterReady(events, ready),
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
