import { fileURLToPath } from 'node:url'
import Database from 'better-sqlite3'
import { type BetterSQLite3Database, drizzle } from 'drizzle-orm/better-sqlite3'
import { assertMigrated, migrateSqlite } from './migrate.js'
import { migrationsFolder } from '../sql/migrations-folder.js'
import { type Checkpointer, checkpointer } from './checkpointer.js'
import { createBatch, groupCommit, groupCommitKeys } from './group-commit.js'
import { createSqlKeys } from '../sqlite-core/keys.js'
import { createSqlStore } from '../sqlite-core/events.js'
import type { KeyStore, OrderedStore, TransactionalKeys, TransactionalStore } from '../../store.js'

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
  /**
   * Open an existing file for reading only (`get`, `list`, `stats`, `activity`): no migration, no
   * write lock, nothing written; write calls reject. For tools that inspect the file
   * of a running server, like the CLI's `list` and `show`. The file must already be
   * migrated by the version in use (opening it read-write does that).
   */
  readonly?: boolean
}

const MIGRATIONS = fileURLToPath(migrationsFolder('drizzle'))

/**
 * The embedded default store: a better-sqlite3 file in WAL mode, migrated on open
 * (except `readonly`, which only checks the migrations are there).
 * Several processes on one host may share the file.
 *
 * Durability: see `durability`; the default survives a process crash, not a power loss.
 *
 * @example
 * sqliteStore({ path: 'webhooks.db' })
 */
export interface SqliteStore extends TransactionalStore<SqliteTransaction>, OrderedStore, KeyStore {
  /** The better-sqlite3 connection, for backups and your own read-only queries. */
  readonly database: Database.Database
  readonly keys: TransactionalKeys<SqliteTransaction>
}

/**
 * What `ctx.transaction(fn)` and an idempotent endpoint's `transaction(fn)` hand `fn` on
 * SQLite: drizzle on the store's connection, inside the transaction (`tx.insert(table)…`,
 * `tx.run(sql\`…\`)`). `fn` may be async, but the database's write lock is held from its
 * start to its commit: this process's other writes and every other process's wait, so
 * keep it to database work (no network calls) and short.
 */
export type SqliteTransaction = BetterSQLite3Database

export function sqliteStore(options: SqliteStoreOptions): SqliteStore {
  const readonly = options.readonly === true
  const sqlite = new Database(options.path, { readonly, fileMustExist: readonly })
  const synchronous = options.durability === 'full' ? 'FULL' : 'NORMAL'
  let checkpoints: Checkpointer | undefined
  try {
    sqlite.pragma(`busy_timeout = ${options.busyTimeoutMs ?? 5000}`)
    if (readonly) {
      // Migrating takes the write lock; a file the server has not migrated yet is refused instead.
      assertMigrated(sqlite, MIGRATIONS)
    } else {
      sqlite.pragma('journal_mode = WAL')
      sqlite.pragma(`synchronous = ${synchronous}`)
      migrateSqlite(sqlite, MIGRATIONS)
      if (!sqlite.memory) {
        checkpoints = checkpointer(sqlite.name, synchronous)
        // A backstop only: the checkpointer thread keeps the WAL well below it.
        sqlite.pragma('wal_autocheckpoint = 10000')
      }
    }
  } catch (error) {
    sqlite.close()
    throw error
  }
  const db = drizzle({ client: sqlite })
  // One batch for events and keys, so a burst of both costs one commit.
  const batch = createBatch(sqlite, checkpoints?.wrote)
  // Duplicates of settled events answered by a read (see groupCommit): in WAL mode it never
  // waits for a writer. Straight on better-sqlite3, as drizzle's parameter and row mapping
  // would cost more than the lookup itself on this path.
  const isSettled = sqlite
    .prepare<[string, string, string | null], 1>(
      "SELECT 1 FROM webhook_events WHERE provider = ? AND event_id = ? AND digest IS ? AND status IN ('processed', 'stale', 'dead')",
    )
    .pluck()
  const store = groupCommit(
    createSqlStore(
      db,
      async () => {
        await checkpoints?.close()
        sqlite.close()
      },
      batch.exclusive,
    ),
    batch,
    (event) => isSettled.get(event.provider, event.eventId, event.digest ?? null) !== undefined,
  )
  return { ...store, keys: groupCommitKeys(createSqlKeys(db, batch.exclusive), batch), database: sqlite } as SqliteStore
}
