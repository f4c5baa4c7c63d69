export { migrateMysql } from './migrate.js'
export { type MysqlConnection, type MysqlStore, type MysqlStoreOptions, type MysqlTransaction, mysqlStore } from './store.js'
