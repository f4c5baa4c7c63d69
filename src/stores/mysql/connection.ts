import type { MySqlDatabase } from 'drizzle-orm/mysql-core'
import type { MySql2Database, MySql2PreparedQueryHKT, MySql2QueryResultHKT } from 'drizzle-orm/mysql2'
import mysql, { type Pool, type PoolOptions } from 'mysql2/promise'
import type { MysqlTransaction } from './store.js'
import { decoded as decode } from '../sql/connection-string.js'

/** The server's own error under drizzle's wrapper, which carries the query's parameters. */
export function mysqlError(error: unknown): { code?: string; errno?: number; message?: string } {
  let inner = error
  while (inner instanceof Error && !('errno' in inner) && inner.cause !== undefined) inner = inner.cause
  // A user's transaction may throw anything, undefined included.
  return (inner ?? {}) as { code?: string; errno?: number; message?: string }
}

const ER_DUP_ENTRY = 1062
/** A duplicate key, on `index` when given (MySQL 8 prefixes the table name, MariaDB does not). */
export function isDuplicate(error: unknown, index?: string): boolean {
  const { errno, message = '' } = mysqlError(error)
  return errno === ER_DUP_ENTRY && (index === undefined || message.endsWith(`${index}'`))
}

// Deadlock and lock wait timeout: InnoDB rolled the transaction back (or the statement),
// and running it again is the documented remedy.
const TRANSIENT = new Set([1213, 1205])
const TRIES = 5

/**
 * Runs `work` again when InnoDB chose it as a deadlock's victim or its lock wait timed out,
 * up to TRIES times, and only while `again(error)` says nothing ran that must not run twice.
 */
export async function retryTransient<T>(work: () => Promise<T>, again: (error: unknown) => boolean = () => true): Promise<T> {
  for (let tries = 1; ; tries++) {
    try {
      return await work()
    } catch (error) {
      if (tries >= TRIES || !again(error) || !TRANSIENT.has(mysqlError(error).errno ?? 0)) throw error
    }
  }
}

/** Drizzle on the pool, or on one transaction's connection (a transaction is a database of its own in drizzle). */
export type MysqlDb = MySqlDatabase<MySql2QueryResultHKT, MySql2PreparedQueryHKT, Record<string, never>>

/**
 * A handler's or an endpoint's transaction, at the server's default isolation: `body` gets
 * drizzle's transaction and `first`, to wrap the statement it runs before any of the user's
 * code (the lock on the held row). When InnoDB made that statement a deadlock's victim or
 * timed its wait out, the whole transaction runs again, as nothing of the user's ran yet;
 * after anything else, never: the user's code must not run twice.
 */
export function heldTransaction<R>(db: MySql2Database, body: (tx: MysqlTransaction, first: <T>(statement: Promise<T>) => Promise<T>) => Promise<R>): Promise<R> {
  let refused: { error: unknown } | undefined
  const first = <T>(statement: Promise<T>) =>
    statement.catch((error: unknown) => {
      refused = { error }
      throw error
    })
  // Drizzle rolls back and rethrows the body's error as it was thrown.
  return retryTransient(() => db.transaction((tx) => body(tx, first)), (error) => refused !== undefined && error === refused.error)
}

/** What a mysql:// URL says, read leniently: a password with an unencoded `/`, `@` or `?` still reads as typed. */
interface Target {
  host: string
  port: number
  database: string
  user?: string
  password?: string
  /** Options after `?`, as mysql2 reads them: JSON values (`ssl={"rejectUnauthorized":true}`) or strings. */
  options: Record<string, unknown>
}

const URI = /^(?:mysql|mariadb):\/\/(?:(?<user>[^:@/]*)(?::(?<password>.*))?@)?(?<host>\[[^\]]*\]|[^:/?@]*)(?::(?<port>\d+))?(?:\/(?<database>[^?]*))?(?:\?(?<query>.*))?$/is

/** Undefined when `uri` is not a mysql:// URL; never throws, as URL's errors carry the whole string. */
export function parseUri(uri: string): Target | undefined {
  const match = URI.exec(uri)
  if (!match?.groups) return undefined
  const { user, password, host = '', port, database = '', query = '' } = match.groups
  const options: Record<string, unknown> = {}
  for (const [name, value] of new URLSearchParams(query)) {
    try {
      options[name] = JSON.parse(value)
    } catch {
      options[name] = value
    }
  }
  return {
    host: decode(host.replace(/^\[(.*)\]$/, '$1')) || 'localhost',
    port: port === undefined ? 3306 : Number(port),
    database: decode(database),
    user: user === undefined ? undefined : decode(user),
    password: password === undefined ? undefined : decode(password),
    options,
  }
}

/** `host:port/database`: where a pool connects, never with the password. */
export function describePool(pool: Pool): string {
  // mysql2 keeps the options a pool was made with here; a pool without them is described as such.
  const config = (pool.pool as { config?: { connectionConfig?: { host?: string; port?: number; database?: string } } }).config?.connectionConfig
  if (config === undefined) return 'the pool passed in'
  return `${config.host ?? 'localhost'}:${config.port ?? 3306}/${config.database ?? ''}`
}

/**
 * A pool of at most `max` connections. FOUND_ROWS makes an UPDATE report the rows it
 * matched, not only those it changed, so a transition that rewrites a row with equal
 * values still counts. Nothing connects until the first query.
 */
export function createPool(target: Target, max: number): Pool {
  const { host, port, database, user, password, options } = target
  const config: PoolOptions = { ...options, host, port, database, user, password, connectionLimit: max, connectTimeout: 10_000, flags: ['FOUND_ROWS'] }
  return mysql.createPool(config)
}
