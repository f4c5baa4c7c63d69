export { migratePostgres } from './migrate.js'
export { type PostgresConnection, type PostgresStore, type PostgresStoreOptions, type PostgresTransaction, postgresStore } from './store.js'
