import { loadWithDriver } from '../sql/driver.js'

export type { PostgresConnection, PostgresStore, PostgresStoreOptions, PostgresTransaction } from './store.js'

// After pg is found: drizzle's node-postgres module imports it (see loadWithDriver).
export const [{ migratePostgres }, { postgresStore }] = await loadWithDriver('webhook-inbox/stores/postgres', 'pg', () => import('pg'), () =>
  Promise.all([import('./migrate.js'), import('./store.js')]),
)
