import { fileURLToPath } from 'node:url'
import { drizzle } from 'drizzle-orm/node-postgres'
import { migrate } from 'drizzle-orm/node-postgres/migrator'
import type { Pool } from 'pg'
import { migrationsFolder } from '../sql/migrations-folder.js'

const MIGRATIONS = fileURLToPath(migrationsFolder('drizzle-pg'))

/** A quoted identifier; the schema name is the user's, so it may hold any character. */
export const quoteIdent = (name: string) => `"${name.replaceAll('"', '""')}"`

/**
 * Applies the pending drizzle-pg/ migrations to `schema`, recording them in that
 * schema's `__drizzle_migrations`. A session advisory lock (per schema) makes ten
 * instances starting at once apply them once: the others wait, then find nothing
 * pending. The migrations name no schema, so `search_path` places them; the
 * connection is discarded afterwards so that setting never reaches another query.
 */
export async function migratePostgres(pool: Pool, schema: string): Promise<void> {
  const client = await pool.connect()
  const lock = `webhook-inbox migrations ${schema}`
  try {
    await client.query('SELECT pg_advisory_lock(hashtext($1))', [lock])
    try {
      await client.query(`CREATE SCHEMA IF NOT EXISTS ${quoteIdent(schema)}`)
      await client.query(`SET search_path TO ${quoteIdent(schema)}`)
      await migrate(drizzle({ client }), { migrationsFolder: MIGRATIONS, migrationsSchema: schema, migrationsTable: '__drizzle_migrations' })
    } finally {
      await client.query('SELECT pg_advisory_unlock(hashtext($1))', [lock])
    }
  } finally {
    client.release(true)
  }
}
