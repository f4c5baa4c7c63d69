import { drizzle } from 'drizzle-orm/d1'
import { createSqlKeys } from './sql-keys.js'
import { createSqlStore } from './sql-store.js'
import type { KeyStore, Store } from './types.js'

/** The Cloudflare D1 binding (`env.DB`), as drizzle's D1 driver takes it. */
export type D1Binding = Parameters<typeof drizzle>[0]

/**
 * The store for Cloudflare Workers: a D1 database with the schema from `drizzle/`,
 * applied by `wrangler d1 migrations apply` (a Worker cannot migrate on open). Every
 * write is one statement, so nothing relies on the BEGIN/COMMIT that D1 refuses.
 *
 * @example
 * import { env } from 'cloudflare:workers'
 * d1Store(env.DB)
 */
export function d1Store(binding: D1Binding): Store & KeyStore {
  const db = drizzle(binding)
  return { ...createSqlStore(db), keys: createSqlKeys(db) }
}
