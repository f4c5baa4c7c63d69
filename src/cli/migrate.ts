import { postgresStore } from '../stores/postgres/index.js'
import { type Io, parse, resolveDatabase, UsageError } from './context.js'

export const migrateHelp = `webhook-inbox migrate --db postgres://… [options]

Applies the pending Postgres migrations under an advisory lock (safe while servers
start), for deployments whose servers use postgresStore({ migrate: false }). A SQLite
file needs no command: the server migrates it when it opens it.

Options:
  --db <url>         postgres:// URL (default $DATABASE_URL)
  --schema <name>    the Postgres schema (default public)
  --json             print the result as JSON

Examples:
  webhook-inbox migrate --db postgres://inbox@db.internal:5432/app
  DATABASE_URL=postgres://… webhook-inbox migrate --schema webhooks`

export async function migrate(args: string[], io: Io) {
  const { values } = parse(args, {})
  const database = resolveDatabase(values.db, io)
  if (!('postgres' in database)) throw new UsageError('needs a Postgres URL: pass --db postgres://… or set DATABASE_URL')
  const schema = values.schema ?? 'public'
  const store = postgresStore({ connectionString: database.postgres, schema })
  try {
    await store.ready()
    io.out(values.json ? JSON.stringify({ schema, migrated: true }) : `schema "${schema}" is migrated`)
  } finally {
    await store.close()
  }
}
