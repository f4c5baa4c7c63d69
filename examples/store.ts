// The store the Node, Bun and Deno examples run on: Postgres or MySQL when DATABASE_URL is a
// postgres:// or mysql:// URL, else a SQLite file ($WEBHOOK_INBOX_DB, default webhooks.db).
// In your own project, import the one you use from 'webhook-inbox/stores/postgres' (or
// /stores/mysql, /stores/sqlite).
import { mysqlStore } from '../src/stores/mysql/index.js'
import { postgresStore } from '../src/stores/postgres/index.js'
import { sqliteStore } from '../src/stores/sqlite/index.js'

/** The store, and how the example names it at start-up. */
export function exampleStore() {
  const url = (process.env.DATABASE_URL ?? '').trim()
  if (/^postgres(ql)?:\/\//i.test(url)) return { store: postgresStore({ connectionString: url }), name: 'postgres from DATABASE_URL' }
  if (/^(mysql|mariadb):\/\//i.test(url)) return { store: mysqlStore({ uri: url }), name: 'mysql from DATABASE_URL' }
  if (url !== '') console.log('DATABASE_URL is not a postgres:// or mysql:// URL; ignoring it')
  // better-sqlite3 is built on V8's own addon API, not Node-API: Bun refuses to load it and
  // Deno cannot. Their examples run on the server stores, whose drivers are plain JavaScript.
  const runtime = process.versions.bun ? 'Bun' : process.versions.deno ? 'Deno' : undefined
  if (runtime !== undefined) {
    console.error(`${runtime} cannot load better-sqlite3, the SQLite store's driver: set DATABASE_URL to a postgres:// or mysql:// URL`)
    process.exit(1)
  }
  const path = process.env.WEBHOOK_INBOX_DB ?? 'webhooks.db'
  return { store: sqliteStore({ path }), name: `sqlite ${path}` }
}
