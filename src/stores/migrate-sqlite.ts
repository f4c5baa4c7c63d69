import type Database from 'better-sqlite3'
import { readMigrationFiles } from 'drizzle-orm/migrator'

/**
 * Applies the drizzle-kit migrations in `folder`, recording them in drizzle's own
 * `__drizzle_migrations` table. Unlike drizzle's migrator it reads what is applied
 * inside the same IMMEDIATE transaction that applies the rest, so two processes
 * opening one new file at once cannot both run the first migration.
 */
export function migrateSqlite(db: Database.Database, folder: string) {
  const migrations = readMigrationFiles({ migrationsFolder: folder })
  db.transaction(() => {
    db.exec('CREATE TABLE IF NOT EXISTS __drizzle_migrations (id INTEGER PRIMARY KEY, hash text NOT NULL, created_at numeric)')
    const last = lastApplied(db)
    const record = db.prepare('INSERT INTO __drizzle_migrations (hash, created_at) VALUES (?, ?)')
    for (const migration of migrations) {
      if (last !== null && last >= migration.folderMillis) continue
      for (const statement of migration.sql) db.exec(statement)
      record.run(migration.hash, migration.folderMillis)
    }
  }).immediate()
}

/**
 * Throws unless every migration in `folder` is applied; reads only, so it works on a
 * read-only connection. Without it, an old file fails later with "no such column".
 */
export function assertMigrated(db: Database.Database, folder: string) {
  const migrations = readMigrationFiles({ migrationsFolder: folder })
  const tracked = db.prepare("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = '__drizzle_migrations'").get()
  const last = tracked ? lastApplied(db) : null
  const pending = migrations.filter((m) => last === null || last < m.folderMillis).length
  if (pending > 0) {
    throw new Error(`${db.name} is missing ${pending} of ${migrations.length} webhook-inbox migrations; open it read-write once (e.g. start the server) to apply them`)
  }
}

function lastApplied(db: Database.Database): number | null {
  const { at } = db.prepare('SELECT max(created_at) AS at FROM __drizzle_migrations').get() as { at: number | null }
  return at === null ? null : Number(at)
}
