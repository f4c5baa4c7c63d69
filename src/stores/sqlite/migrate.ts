import type Database from 'better-sqlite3'
import { readMigrationFiles } from 'drizzle-orm/migrator'
import { readFileSync } from 'node:fs'
import { join } from 'node:path'

const hasTable = (db: Database.Database, name: string) =>
  db.prepare("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?").get(name) !== undefined

/**
 * A D1 database that `wrangler d1 migrations apply` migrated (its local file, or a copy):
 * wrangler records the same drizzle/ files by name in `d1_migrations`, not in drizzle's table.
 */
const migratedByWrangler = (db: Database.Database) => hasTable(db, 'd1_migrations') && !hasTable(db, '__drizzle_migrations')

/** The migration files wrangler has not applied, by the names it records (`0001_replays.sql`). */
function pendingForWrangler(db: Database.Database, folder: string): string[] {
  const journal = JSON.parse(readFileSync(join(folder, 'meta/_journal.json'), 'utf8')) as { entries: { tag: string }[] }
  const applied = new Set(db.prepare('SELECT name FROM d1_migrations').pluck().all() as string[])
  return journal.entries.map((entry) => `${entry.tag}.sql`).filter((name) => !applied.has(name))
}

/**
 * Applies the drizzle-kit migrations in `folder`, recording them in drizzle's own
 * `__drizzle_migrations` table. Unlike drizzle's migrator it reads what is applied
 * inside the same IMMEDIATE transaction that applies the rest, so two processes
 * opening one new file at once cannot both run the first migration.
 */
export function migrateSqlite(db: Database.Database, folder: string) {
  // Applying drizzle's records on top would fail ("table webhook_events already exists") or fork its history.
  if (migratedByWrangler(db)) {
    throw new Error(`${db.name} is a D1 database migrated by wrangler: open it read-only (the CLI's list and show do), and migrate it with wrangler d1 migrations apply`)
  }
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
  if (migratedByWrangler(db)) {
    const pending = pendingForWrangler(db, folder)
    if (pending.length > 0) throw new Error(`${db.name} is a D1 database without ${pending.join(', ')}; apply them with wrangler d1 migrations apply`)
    return
  }
  const migrations = readMigrationFiles({ migrationsFolder: folder })
  const tracked = hasTable(db, '__drizzle_migrations')
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
