import Database from 'better-sqlite3'
import { drizzle } from 'drizzle-orm/better-sqlite3'
import { fileURLToPath } from 'node:url'
import { migrateSqlite } from './migrate-sqlite.js'
import { createSqlStore } from './sql-store.js'
import type { Store } from './types.js'

export interface SqliteStoreOptions {
  /** Database file; `':memory:'` for a throwaway store. */
  path: string
  /** Milliseconds a write waits for another process's lock before failing (503). */
  busyTimeoutMs?: number
}

// Same relative path from src/stores/ in the repo and from dist/src/stores/ in the
// package, because the build copies drizzle/ into dist/.
const MIGRATIONS = fileURLToPath(new URL('../../drizzle', import.meta.url))

/**
 * The embedded default store: a better-sqlite3 file in WAL mode, migrated on open.
 * Several processes on one host may share the file.
 *
 * Durability: `synchronous = NORMAL`, so a committed event survives a crash of the
 * process but the last commits before a power loss or OS crash may be lost.
 *
 * @example
 * sqliteStore({ path: 'webhooks.db' })
 */
export function sqliteStore(options: SqliteStoreOptions): Store {
  const sqlite = new Database(options.path)
  sqlite.pragma(`busy_timeout = ${options.busyTimeoutMs ?? 5000}`)
  sqlite.pragma('journal_mode = WAL')
  sqlite.pragma('synchronous = NORMAL')
  migrateSqlite(sqlite, MIGRATIONS)
  return createSqlStore(drizzle({ client: sqlite }), async () => {
    sqlite.close()
  })
}
