import { defineConfig } from 'drizzle-kit'

// One migrations folder serves sqliteStore (applied on open) and `wrangler d1 migrations apply`.
export default defineConfig({
  dialect: 'sqlite',
  schema: './src/stores/sqlite-core/schema.ts',
  out: './drizzle',
})
