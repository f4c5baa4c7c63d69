import pg from 'pg'
import { postgresStore, type PostgresStoreOptions } from '../src/stores/postgres/index.js'
import { onCleanup } from './node-helpers.js'

/** The test server's URL (see .ci/postgres.sh); the suites skip without it (test/postgres-setup.ts). */
export const PG_URL = process.env.WEBHOOK_INBOX_TEST_PG_URL ?? ''
/** That server's log file (`.ci/postgres.sh run` sets it): what the server reports as ERROR. */
export const PG_LOG = process.env.WEBHOOK_INBOX_TEST_PG_LOG ?? ''

let schemas = 0
/** A schema name no other test, file or process uses. */
export const freshSchema = (tag = 'test') => `${tag}_${process.pid}_${++schemas}_${Date.now() % 100_000}`

/** Runs one statement as the test server's user, outside any store and its pool. */
async function adminQuery(statement: string, url: string) {
  const client = new pg.Client({ connectionString: url })
  await client.connect()
  try {
    await client.query(statement)
  } finally {
    await client.end()
  }
}

/** Drops `schema` once the test ends, whatever the test left in it. */
export function dropAfterTest(schema: string, url = PG_URL) {
  onCleanup(() => adminQuery(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`, url))
}

/**
 * An empty database of the test's own, dropped (its connections ended) once the test ends;
 * its URL. For a process that takes only a URL, as the examples do, and so use `public`.
 */
export async function createPostgresDatabase(tag = 'test', url = PG_URL) {
  const database = freshSchema(tag)
  await adminQuery(`CREATE DATABASE "${database}"`, url)
  onCleanup(() => adminQuery(`DROP DATABASE IF EXISTS "${database}" WITH (FORCE)`, url))
  const parsed = new URL(url)
  parsed.pathname = `/${database}`
  return parsed.toString()
}

/** A store on an empty schema of its own, closed and dropped after the test. */
export function tempPostgresStore(options: Omit<PostgresStoreOptions, 'connectionString' | 'pool'> = {}) {
  const schema = options.schema ?? freshSchema()
  const store = postgresStore({ connectionString: PG_URL, ...options, schema })
  dropAfterTest(schema)
  onCleanup(() => store.close())
  return { store, schema }
}

/** A second store (another instance) on `schema`, closed after the test; the schema's owner drops it. */
export function sameSchemaStore(schema: string) {
  const store = postgresStore({ connectionString: PG_URL, schema })
  onCleanup(() => store.close())
  return store
}
