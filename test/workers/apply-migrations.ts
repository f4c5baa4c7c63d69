import { applyD1Migrations, env } from 'cloudflare:test'

// The migrations wrangler applies with `d1 migrations apply`, applied once per test file.
await applyD1Migrations(env.DB, env.TEST_MIGRATIONS)
