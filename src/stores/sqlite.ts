import Database from 'better-sqlite3'
import { drizzle } from 'drizzle-orm/better-sqlite3'
import { fileURLToPath } from 'node:url'
import { migrateSqlite } from './migrate-sqlite.js'
import { groupCommit } from './group-commit.js'
import { createSqlStore } from './sql-store.js'
import type { Store } from './types.js'

export interface SqliteStoreOptions {
  /** Database file; `':memory:'` for a throwaway store. */
  path: string
  /** Milliseconds a write waits for another process's lock before failing (503). */
  busyTimeoutMs?: number
  /**
   * `'process'` (default): a stored event survives a crash of the process; the last
   * commits before a power loss or OS crash may be lost (`synchronous = NORMAL`).
   * `'full'`: every commit is fsynced before it returns, so it survives power loss too
   * (`synchronous = FULL`), at the cost of one fsync per commit.
   */
  durability?: 'process' | 'full'
}

// Same relative path from src/stores/ in the repo and from dist/src/stores/ in the
// package, because the build copies drizzle/ into dist/.
const MIGRATIONS = fileURLToPath(new URL('../../drizzle', import.meta.url))

/**
 * The embedded default store: a better-sqlite3 file in WAL mode, migrated on open.
 * Several processes on one host may share the file.
 *
 * Durability: see `durability`; the default survives a process crash, not a power loss.
 *
 * @example
 * sqliteStore({ path: 'webhooks.db' })
 */
export interface SqliteStore extends Store {
  /** The better-sqlite3 connection, for backups and your own read-only queries. */
  readonly database: Database.Database
}

export function sqliteStore(options: SqliteStoreOptions): SqliteStore {
  const sqlite = new Database(options.path)
  sqlite.pragma(`busy_timeout = ${options.busyTimeoutMs ?? 5000}`)
  sqlite.pragma('journal_mode = WAL')
  sqlite.pragma(`synchronous = ${options.durability === 'full' ? 'FULL' : 'NORMAL'}`)
  migrateSqlite(sqlite, MIGRATIONS)
  const store = groupCommit(
    createSqlStore(drizzle({ client: sqlite }), async () => {
      sqlite.close()
    }),
    sqlite,
  )
  return { ...store, database: sqlite }
}
