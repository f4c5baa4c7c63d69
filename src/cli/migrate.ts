import { type Io, parse, resolveDatabase, UsageError } from './context.js'

export const migrateHelp = `webhook-inbox migrate --db postgres://…|mysql://… [options]

Applies the pending Postgres or MySQL migrations under an advisory lock (safe while
servers start), for deployments whose servers use postgresStore({ migrate: false })
or mysqlStore({ migrate: false }). A SQLite
file needs no command: the server migrates it when it opens it.

Options:
  --db <url>         postgres:// or mysql:// URL (default $DATABASE_URL)
  --schema <name>    the Postgres schema (default public); MySQL uses the URL's database
  --json             print the result as JSON

Examples:
  webhook-inbox migrate --db postgres://inbox@db.internal:5432/app
  webhook-inbox migrate --db mysql://inbox@db.internal:3306/app
  DATABASE_URL=postgres://… webhook-inbox migrate --schema webhooks`

export async function migrate(args: string[], io: Io) {
  const { values } = parse(args, {})
  const database = resolveDatabase(values.db, io)
  // Imported when needed: each store needs its own driver, and a project installs one.
  if ('mysql' in database) {
    const { mysqlStore } = await import('../stores/mysql/index.js')
    const store = mysqlStore({ uri: database.mysql })
    try {
      await store.ready()
      io.out(values.json ? JSON.stringify({ migrated: true }) : 'the MySQL database is migrated')
    } finally {
      await store.close()
    }
    return
  }
  if (!('postgres' in database)) throw new UsageError('needs a Postgres or MySQL URL: pass --db postgres://… or mysql://…, or set DATABASE_URL')
  const schema = values.schema ?? 'public'
  const { postgresStore } = await import('../stores/postgres/index.js')
  const store = postgresStore({ connectionString: database.postgres, schema })
  try {
    await store.ready()
    io.out(values.json ? JSON.stringify({ schema, migrated: true }) : `schema "${schema}" is migrated`)
  } finally {
    await store.close()
  }
}
