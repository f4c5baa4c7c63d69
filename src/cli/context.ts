import { existsSync } from 'node:fs'
import { parseArgs, type ParseArgsConfig } from 'node:util'
import type { KeyStore, Store } from '../store.js'
import { DEVELOPMENT_SECRETS } from '../testing/development-secrets.js'
import { isProviderName, type ProviderName } from '../testing/fixture.js'
import { BUILT_IN_PROVIDERS } from '../../providers/registry.js'

/** Exit codes scripts can rely on. */
export const EXIT = { ok: 0, failed: 1, usage: 2, timeout: 3 } as const

/** A mistake in how the CLI was called: one line to stderr, exit 2. */
export class UsageError extends Error {}

/** The operation ran and did not succeed (not found, non-2xx answer, handler failed): exit 1. */
export class FailedError extends Error {}

export interface Io {
  out(line: string): void
  err(line: string): void
  /** Rewrites the current stderr line (progress); a no-op where stderr is not a terminal. */
  progress(line: string): void
  env: NodeJS.ProcessEnv
}


type Spec = Record<string, 'string' | 'boolean'>
type Values<S extends Spec> = { [K in keyof S]?: S[K] extends 'string' ? string : boolean } & {
  db?: string
  schema?: string
  json?: boolean
}

/** node:util parseArgs, strict, with the options every command shares (--db, --json, --help). */
export function parse<S extends Spec>(args: string[], spec: S): { values: Values<S>; positionals: string[] } {
  const options: NonNullable<ParseArgsConfig['options']> = {
    db: { type: 'string' },
    schema: { type: 'string' },
    json: { type: 'boolean' },
    help: { type: 'boolean', short: 'h' },
  }
  for (const [name, type] of Object.entries(spec)) options[name] = { type }
  try {
    const { values, positionals } = parseArgs({ args, options, allowPositionals: true, strict: true })
    return { values: values as Values<S>, positionals }
  } catch (error) {
    // parseArgs' first sentence says what is wrong ("Unknown option '--bogus'"); the rest
    // is about '--' and positionals, and it never says where to look next.
    throw new UsageError(`${(error as Error).message.split('. ')[0]!.replace(/\.$/, '')} (try --help)`)
  }
}

/** "stripe, github, …": the built-in providers, for messages. */
export const PROVIDER_NAMES = Object.keys(BUILT_IN_PROVIDERS).join(', ')

export function providerName(name: string | undefined): ProviderName {
  if (name === undefined) throw new UsageError(`missing <provider> (${PROVIDER_NAMES})`)
  if (!isProviderName(name)) throw new UsageError(`unknown provider "${name}" (use ${PROVIDER_NAMES})`)
  return name
}

/** --secret, else the variable the server reads, else (only with --dev) the development secret of `npm start`. */
export function secretFor(provider: ProviderName, values: { secret?: string; dev?: boolean }, io: Io): string {
  const { variable, value } = DEVELOPMENT_SECRETS[provider]
  if (values.secret !== undefined) {
    if (values.secret === '') throw new UsageError('--secret is empty')
    return values.secret
  }
  if (values.dev) return value
  const fromEnv = io.env[variable]
  if (!fromEnv) throw new UsageError(`no signing secret: pass --secret, set ${variable}, or --dev for the development secret of npm start`)
  return fromEnv
}

/** The database servers a URL may name, by scheme (any case, after any leading space). */
const SERVER_SCHEME = /^\s*(?:(postgres(?:ql)?)|(mysql|mariadb)):/i
/** `file:…`, `redis:…`: a scheme of two letters or more (so not `C:\`), which no SQLite path has. */
const URL_SCHEME = /^\s*([a-z][a-z0-9+.-]+):/i
type Database = { postgres: string } | { mysql: string } | { sqlite: string }

/** A database server's URL, or undefined. A URL is only ever echoed by its scheme: the rest may hold a password. */
function serverUrl(value: string, source: string): Database | undefined {
  const server = SERVER_SCHEME.exec(value)
  if (server === null) return undefined
  const dialect = server[1] !== undefined ? 'postgres' : 'mysql'
  if (!/^\s*[a-z]+:\/\//i.test(value)) throw new UsageError(`${source}: a ${server[1] ?? server[2]}: URL needs // after the scheme (${dialect}://host/database)`)
  return dialect === 'postgres' ? { postgres: value.trim() } : { mysql: value.trim() }
}

function classify(value: string, source: string): Database {
  const server = serverUrl(value, source)
  if (server !== undefined) return server
  const scheme = URL_SCHEME.exec(value)?.[1]
  if (scheme !== undefined) throw new UsageError(`${source}: a ${scheme}: URL is neither a SQLite file path nor a postgres:// or mysql:// URL`)
  return { sqlite: value }
}

/**
 * Which database a command works on: --db, then DATABASE_URL when it is a postgres:// or mysql://
 * URL, then WEBHOOK_INBOX_DB, then webhooks.db. Another DATABASE_URL (Prisma's file:
 * URLs) is someone else's, so it is ignored, with one line naming only its scheme.
 */
export function resolveDatabase(flag: string | undefined, io: Io): Database {
  if (flag !== undefined) return classify(flag, '--db')
  const url = io.env.DATABASE_URL
  if (url !== undefined && url !== '') {
    const server = serverUrl(url, 'DATABASE_URL')
    if (server !== undefined) return server
    const scheme = URL_SCHEME.exec(url)?.[1]
    io.err(`ignoring DATABASE_URL: its scheme (${scheme === undefined ? 'none' : `${scheme}:`}) is not postgres://, postgresql:// or mysql://`)
  }
  return classify(io.env.WEBHOOK_INBOX_DB ?? 'webhooks.db', 'WEBHOOK_INBOX_DB')
}

/**
 * Opens the database the server uses. A SQLite file must exist, so a wrong path is not
 * silently empty; `'read'` opens it read-only: no migration and no lock that could make
 * a running server's writes wait. Postgres and MySQL are never migrated from here but by `migrate`.
 * Only the store in use is imported: each needs its own driver, and a project installs one.
 */
export async function openStore(values: { db?: string; schema?: string }, io: Io, mode: 'read' | 'write' = 'write'): Promise<Store & KeyStore> {
  const database = resolveDatabase(values.db, io)
  if ('postgres' in database) {
    const { postgresStore } = await import('../stores/postgres/index.js')
    return postgresStore({ connectionString: database.postgres, schema: values.schema, migrate: false })
  }
  if ('mysql' in database) {
    const { mysqlStore } = await import('../stores/mysql/index.js')
    return mysqlStore({ uri: database.mysql, migrate: false })
  }
  const path = database.sqlite
  if (path !== ':memory:' && !existsSync(path)) {
    // A mistyped URL (postgres//user:pass@host) lands here as a path: never echo what looks like credentials.
    const shown = path.replace(/[^/\s]*:\S*@/, '***@')
    throw new UsageError(`no database at ${shown} (pass --db, or set DATABASE_URL or WEBHOOK_INBOX_DB)`)
  }
  const { sqliteStore } = await import('../stores/sqlite/index.js')
  // An in-memory database cannot be opened read-only, and a new one has nothing to protect.
  return sqliteStore({ path, readonly: mode === 'read' && path !== ':memory:' })
}

const UNITS: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 }

/** "30d", "12h", "90s", "500ms" → milliseconds. */
export function duration(text: string | undefined, what: string): number {
  const match = /^(\d+)(ms|s|m|h|d)$/.exec(text ?? '')
  if (!match) throw new UsageError(`${what}: "${text ?? ''}" is not a duration like 30d, 12h, 15m, 90s`)
  return Number(match[1]) * UNITS[match[2]!]!
}

export const defaultUrl = (provider: ProviderName, io: Io) => `http://127.0.0.1:${io.env.PORT ?? 3000}/webhooks/${provider}`
