export { migrateMysql } from './migrate.js'
export { type MysqlConnection, type MysqlStore, type MysqlStoreOptions, mysqlStore } from './store.js'
