import { drizzle, type NodePgDatabase } from 'drizzle-orm/node-postgres'
import pg from 'pg'
import { WebhookError } from '../../errors.js'
import { createEvents } from '../sql/events.js'
import { afterReady, readiness } from '../sql/ready.js'
import type { KeyStore, OrderedStore, TransactionalKeys, TransactionalStore } from '../../store.js'
import { postgresKeys } from './keys.js'
import { onDueListeners } from './listen.js'
import { migratePostgres } from './migrate.js'
import { pgTables } from './schema.js'
import { postgresStatements, statementName } from './statements.js'
import { describeConnectionString, redactConnectionString } from '../sql/connection-string.js'

export type PostgresConnection =
  /** A pool of at most `poolMax` (default 10) connections, owned and ended by the store. */
  | { connectionString: string; poolMax?: number; pool?: never }
  /** Your own pool (your pooler, TLS and limits): `close()` leaves it open. */
  | { pool: pg.Pool; connectionString?: never; poolMax?: never }

export type PostgresStoreOptions = PostgresConnection & {
  /** The Postgres schema the tables live in; created by the migrations when missing. Default `public`. */
  schema?: string
  /** Apply pending migrations on first use (default). `false` when you run `webhook-inbox migrate` yourself. */
  migrate?: boolean
}

export interface PostgresStore extends TransactionalStore<PostgresTransaction>, OrderedStore, KeyStore {
  readonly pool: pg.Pool
  readonly keys: TransactionalKeys<PostgresTransaction>
  /**
   * Connects and applies pending migrations now instead of on the first call, so a
   * wrong URL or an unreachable server fails at start-up. Every method awaits it.
   */
  ready(): Promise<void>
}

/**
 * What `ctx.transaction(fn)` and an idempotent endpoint's `transaction(fn)` hand `fn` on
 * Postgres: drizzle's node-postgres transaction, on one connection of the store's pool
 * inside BEGIN … COMMIT at the server's default isolation (READ COMMITTED unless you
 * changed it), with the event's (or the key's) row locked `FOR UPDATE` until the commit.
 */
export type PostgresTransaction = Parameters<Parameters<NodePgDatabase['transaction']>[0]>[0]

/** `host:port/database`: where the store connects, never with the password. */
function describeTarget(config: pg.PoolConfig): string {
  if (config.connectionString !== undefined) return describeConnectionString(config.connectionString, 5432)
  return `${config.host ?? 'localhost'}:${config.port ?? 5432}/${config.database ?? config.user ?? 'postgres'}`
}

/** The driver's error under drizzle's wrapper, which carries the parameters. */
function pgError(error: unknown): { code?: string; message?: string } {
  let inner = error
  while (inner instanceof Error && !('severity' in inner) && inner.cause !== undefined) inner = inner.cause
  return inner as { code?: string; message?: string }
}

/**
 * The store for many instances behind a load balancer: PostgreSQL through drizzle and
 * node-postgres, with the idempotency keys (`store.keys`) beside the events. Same
 * statements and fencing as the SQLite store; the sweeper's batch
 * take uses `FOR UPDATE SKIP LOCKED`, and queued or requeued events wake every
 * instance's sweeper with `NOTIFY`. Migrations from drizzle-pg/ are applied on first
 * use under an advisory lock (`migrate: false` to run them yourself).
 *
 * During a database outage every call rejects (deliveries are answered 503) and the
 * pool reconnects on its own once the server is back.
 *
 * @example
 * postgresStore({ connectionString: process.env.DATABASE_URL })
 */
export function postgresStore(options: PostgresStoreOptions): PostgresStore {
  const schema = options.schema ?? 'public'
  const ownPool = options.pool === undefined
  let pool: pg.Pool
  if (options.pool !== undefined) pool = options.pool
  else {
    if (!/^postgres(ql)?:\/\//i.test(options.connectionString ?? '')) {
      throw new TypeError('[webhook-inbox] postgres: connectionString must be a postgres:// or postgresql:// URL')
    }
    pool = new pg.Pool({ connectionString: options.connectionString, max: options.poolMax ?? 10, connectionTimeoutMillis: 10_000 })
  }
  const target = describeTarget(pool.options)
  const redact = redactConnectionString(pool.options.connectionString ?? '')
  // An idle connection that breaks (the server restarted) is dropped and replaced by the
  // pool; without a listener its error would crash the process. The outage itself is
  // reported by the calls that fail meanwhile (503, onError).
  const ignore = () => {}
  pool.on('error', ignore)

  const db = drizzle({ client: pool })
  const tables = pgTables(schema)
  const channel = `webhook_inbox ${schema}`.slice(0, 63)
  let closed = false

  const ready = readiness(
    'postgres',
    () => (options.migrate === false ? pool.query('SELECT 1') : migratePostgres(pool, schema)),
    (cause) => {
      const { code, message = String(cause) } = pgError(cause)
      // The driver's own text may echo the part of a malformed URL it took for a host or a database.
      const reason = `${code ?? 'error'}: ${redact(message).slice(0, 500)}`
      return new WebhookError('store_unavailable', `postgres: cannot use ${target}, schema "${schema}" (${reason})`, { cause: Object.assign(new Error(reason), { code }) })
    },
    () => closed,
  )

  /** Wakes sweepers listening anywhere; best effort, as their poll picks the event up anyway. */
  const notify = () => void pool.query('SELECT pg_notify($1, $2)', [channel, '']).catch(ignore)
  const listeners = onDueListeners(pool, channel, ready)

  // createEvents() keeps transaction() when the statements have one, as Postgres's do.
  const events = createEvents(postgresStatements(db, tables, schema), { madeDue: notify }) as Omit<TransactionalStore<PostgresTransaction> & OrderedStore, 'close' | 'onDue'>
  return {
    ...afterReady(events, ready),
    pool,
    ready,
    keys: postgresKeys(db, tables.idempotencyKeys, statementName(schema), ready),
    onDue: listeners.add,

    async close() {
      if (closed) return
      closed = true
      await listeners.close()
      if (ownPool) await pool.end()
      else pool.off('error', ignore)
    },
  }
}
