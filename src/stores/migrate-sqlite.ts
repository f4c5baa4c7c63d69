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
    const last = db.prepare('SELECT max(created_at) AS at FROM __drizzle_migrations').get() as { at: number | null }
    const record = db.prepare('INSERT INTO __drizzle_migrations (hash, created_at) VALUES (?, ?)')
    for (const migration of migrations) {
      if (last.at !== null && Number(last.at) >= migration.folderMillis) continue
      for (const statement of migration.sql) db.exec(statement)
      record.run(migration.hash, migration.folderMillis)
    }
  }).immediate()
}
