import mysql from 'mysql2/promise'
import { mysqlStore, type MysqlStoreOptions } from '../src/stores/mysql/index.js'
import { onCleanup } from './node-helpers.js'

/** The test server's URL (see .ci/mariadb.sh); the suites skip without it (test/postgres-setup.ts). */
export const MYSQL_URL = process.env.WEBHOOK_INBOX_TEST_MYSQL_URL ?? ''

let databases = 0
/** A database name no other test, file or process uses. */
export const freshDatabase = (tag = 'test') => `${tag}_${process.pid}_${++databases}_${Date.now() % 100_000}`

/** The test server's URL with another database. */
export function databaseUrl(database: string, url = MYSQL_URL) {
  const parsed = new URL(url)
  parsed.pathname = `/${database}`
  return parsed.toString()
}

/** Runs one statement as the test server's user, outside any store. */
export async function adminQuery(statement: string, params: unknown[] = [], url = MYSQL_URL) {
  const connection = await mysql.createConnection(url)
  try {
    const [rows] = await connection.query(statement, params)
    return rows
  } finally {
    await connection.end()
  }
}

/** An empty database, dropped once the test ends whatever the test left in it; its URL. */
export async function createDatabase(tag?: string, url = MYSQL_URL) {
  const database = freshDatabase(tag)
  await adminQuery(`CREATE DATABASE \`${database}\``, [], url)
  onCleanup(() => adminQuery(`DROP DATABASE IF EXISTS \`${database}\``, [], url).then(() => {}))
  return { database, url: databaseUrl(database, url) }
}

/** A store on an empty database of its own, closed and dropped after the test. */
export async function tempMysqlStore(options: Omit<MysqlStoreOptions, 'uri' | 'pool'> = {}) {
  const { database, url } = await createDatabase()
  const store = mysqlStore({ uri: url, ...options })
  onCleanup(() => store.close())
  return { store, database, url }
}

/** A second store (another instance) on `url`, closed after the test; the database's owner drops it. */
export function sameDatabaseStore(url: string) {
  const store = mysqlStore({ uri: url })
  onCleanup(() => store.close())
  return store
}
