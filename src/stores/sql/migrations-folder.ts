/**
 * A migrations folder at the package root (`drizzle/`, `drizzle-pg/`, `drizzle-mysql/`), shipped once and
 * read from there by the stores and by `wrangler d1 migrations apply` alike. This file
 * runs as src/stores/sql/*.ts in the repository and as dist/src/stores/sql/*.js in the package,
 * one folder deeper. A file URL: the Node stores that read it make it a path (`fileURLToPath`).
 */
export function migrationsFolder(name: 'drizzle' | 'drizzle-pg' | 'drizzle-mysql'): URL {
  const root = import.meta.url.endsWith('.ts') ? '../../../' : '../../../../'
  return new URL(`${root}${name}`, import.meta.url)
}
