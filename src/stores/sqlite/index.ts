import { loadWithDriver } from '../sql/driver.js'

export type { SqliteStore, SqliteStoreOptions, SqliteTransaction } from './store.js'

// After better-sqlite3 is found: drizzle's better-sqlite3 module imports it (see loadWithDriver).
export const { sqliteStore } = await loadWithDriver('webhook-inbox/stores/sqlite', 'better-sqlite3', () => import('better-sqlite3'), () => import('./store.js'))
