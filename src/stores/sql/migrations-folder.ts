import { fileURLToPath } from 'node:url'

/**
 * A migrations folder at the package root (`drizzle/`, `drizzle-pg/`, `drizzle-mysql/`), shipped once and
 * read from there by the stores and by `wrangler d1 migrations apply` alike. This file
 * runs as src/stores/sql/*.ts in the repository and as dist/src/stores/sql/*.js in the package,
 * one folder deeper.
 */
export function migrationsFolder(name: 'drizzle' | 'drizzle-pg' | 'drizzle-mysql'): string {
  const root = import.meta.url.endsWith('.ts') ? '../../../' : '../../../../'
  return fileURLToPath(new URL(`${root}${name}`, import.meta.url))
}
