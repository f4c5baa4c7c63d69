import { loadWithDriver } from '../sql/driver.js'

export type { MysqlConnection, MysqlStore, MysqlStoreOptions, MysqlTransaction } from './store.js'

// After mysql2 is found: drizzle's mysql2 module imports it (see loadWithDriver).
export const [{ migrateMysql }, { mysqlStore }] = await loadWithDriver('webhook-inbox/stores/mysql', 'mysql2', () => import('mysql2'), () =>
  Promise.all([import('./migrate.js'), import('./store.js')]),
)
