export { migratePostgres } from './migrate.js'
export { type PostgresConnection, type PostgresStore, type PostgresStoreOptions, postgresStore } from './store.js'
