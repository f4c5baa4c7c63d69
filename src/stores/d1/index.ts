import { drizzle } from 'drizzle-orm/d1'
import { createSqlKeys } from '../sqlite-core/keys.js'
import { createSqlStore } from '../sqlite-core/events.js'
import type { KeyStore, OrderedStore } from '../../store.js'

/**
 * The Cloudflare D1 binding (`env.DB`): the part of `D1Database` the store uses. Written
 * out rather than taken from drizzle, so our declarations do not pull drizzle's (which
 * need `gel`, `mysql2` and the Workers types) into a consumer that checks libraries.
 */
export interface D1Binding {
  prepare(query: string): unknown
  batch(statements: never[]): Promise<unknown[]>
  exec(query: string): Promise<unknown>
}

/**
 * The store for Cloudflare Workers: a D1 database with the schema from `drizzle/`,
 * applied by `wrangler d1 migrations apply` (a Worker cannot migrate on open). Every
 * write is one statement, so nothing relies on the BEGIN/COMMIT that D1 refuses.
 *
 * @example
 * import { env } from 'cloudflare:workers'
 * d1Store(env.DB)
 */
export function d1Store(binding: D1Binding): OrderedStore & KeyStore {
  // D1Binding is D1Database's shape; drizzle names the Workers type itself.
  const db = drizzle(binding as Parameters<typeof drizzle>[0])
  return { ...createSqlStore(db), keys: createSqlKeys(db) }
}
