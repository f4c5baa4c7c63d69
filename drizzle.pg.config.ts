import { defineConfig } from 'drizzle-kit'

// The pg dialect's migrations, applied by postgresStore under an advisory lock and by
// `webhook-inbox migrate --db postgres://…`; drizzle/ stays SQLite's and D1's.
export default defineConfig({
  dialect: 'postgresql',
  schema: './src/stores/postgres/schema.ts',
  out: './drizzle-pg',
})
