import { defineConfig } from 'drizzle-kit'

// The MySQL/MariaDB dialect's migrations, applied by mysqlStore under GET_LOCK and by
// `webhook-inbox migrate --db mysql://…`.
export default defineConfig({
  dialect: 'mysql',
  schema: './src/stores/mysql/schema.ts',
  out: './drizzle-mysql',
})
