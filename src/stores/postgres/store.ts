import { and, asc, desc, eq, gte, inArray, lt, not, sql } from 'drizzle-orm'
import { drizzle } from 'drizzle-orm/node-postgres'
import pg from 'pg'
import { WebhookError } from '../../errors.js'
import { lifecycle, toStored } from '../sql/lifecycle.js'
import type { ClaimResult, EventStatus, KeyStore, ListFilter, Store } from '../../store.js'
import { postgresKeys } from './keys.js'
import { onDueListeners } from './listen.js'
import { migratePostgres } from './migrate.js'
import { pgTables } from './schema.js'
import { describeConnectionString, redactConnectionString } from './target.js'

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

export interface PostgresStore extends Store, KeyStore {
  readonly pool: pg.Pool
  /**
   * Connects and applies pending migrations now instead of on the first call, so a
   * wrong URL or an unreachable server fails at start-up. Every method awaits it.
   */
  ready(): Promise<void>
}

const p = (name: string) => sql.placeholder(name)

/** `host:port/database`: where the store connects, never with the password. */
function describeTarget(config: pg.PoolConfig): string {
  if (config.connectionString !== undefined) return describeConnectionString(config.connectionString)
  return `${config.host ?? 'localhost'}:${config.port ?? 5432}/${config.database ?? config.user ?? 'postgres'}`
}

/** The driver's error under drizzle's wrapper, which carries the parameters. */
function pgError(error: unknown): { code?: string; message?: string } {
  let inner = error
  while (inner instanceof Error && !('severity' in inner) && inner.cause !== undefined) inner = inner.cause
  return inner as { code?: string; message?: string }
}

/**
 * A prepared statement's name, per schema: node-postgres reuses a statement by name on
 * each connection, and two stores on one pool with different schemas must not share one.
 */
const statementName = (schema: string) => (statement: string) => `webhook-inbox ${schema} ${statement}`

type Lifecycle = ReturnType<typeof pgLifecycle>
const pgLifecycle = (t: ReturnType<typeof pgTables>['webhookEvents']) =>
  lifecycle(t, {
    contains: (column, text) => sql`strpos(${column}, ${text}) > 0`,
    inJsonArray: (column, array) => sql`${column} IN (SELECT jsonb_array_elements_text(${array}::jsonb))`,
  })

function prepareStatements(db: ReturnType<typeof drizzle>, t: ReturnType<typeof pgTables>['webhookEvents'], schema: string, rows: Lifecycle) {
  const { KEY, DUE, DUE_HERE, DUE_ORDER, HELD, inserted, MATCHED, DIGEST_FIRST, claimable, LEASE, WAITING, STATE, COMPLETED, FAILED, RELEASED, REPLAYED, REPLAYABLE, REQUEUED, REVIVABLE } = rows
  const name = statementName(schema)
  const changed = { id: t.id }
  // As on SQLite: a conflict on either unique key leaves the row alone (no conflict
  // target, so neither raises, and the server logs no unique_violation), then takeOver
  // decides in one conditional statement what the matched row gets.
  const insert = (queue: boolean) =>
    db.insert(t).values(inserted(queue)).onConflictDoNothing().returning(STATE).prepare(name(queue ? 'queue' : 'claim'))
  // Under READ COMMITTED a row another claim just leased is re-checked against claimable
  // once that claim commits, so only one of two concurrent takeovers gets it.
  const takeOver = (queue: boolean) =>
    db
      .update(t)
      .set(queue ? WAITING : LEASE)
      .where(and(sql`${t.id} = (${db.select({ id: t.id }).from(t).where(MATCHED).orderBy(DIGEST_FIRST).limit(1)})`, claimable(queue)))
      .returning()
      .prepare(name(queue ? 'take over queued' : 'take over'))
  const due = db.select({ id: t.id }).from(t).where(DUE_HERE).orderBy(asc(DUE_ORDER)).limit(p('limit'))
  return {
    claim: insert(false),
    queue: insert(true),
    takeOver: takeOver(false),
    takeOverQueued: takeOver(true),
    take: db.update(t).set(LEASE).where(and(KEY, DUE)).returning().prepare(name('take')),
    // SKIP LOCKED: sweepers of other instances take other rows instead of waiting on these.
    takeDue: db
      .update(t)
      .set(LEASE)
      .where(and(DUE, inArray(t.id, due.for('update', { skipLocked: true }))))
      .returning()
      .prepare(name('takeDue')),
    due: db.select({ provider: t.provider, eventId: t.eventId }).from(t).where(DUE).orderBy(asc(DUE_ORDER)).limit(p('limit')).prepare(name('due')),
    complete: db.update(t).set(COMPLETED).where(HELD).returning(changed).prepare(name('complete')),
    fail: db.update(t).set(FAILED).where(HELD).returning(changed).prepare(name('fail')),
    release: db.update(t).set(RELEASED).where(HELD).returning(changed).prepare(name('release')),
    replay: db.update(t).set(REPLAYED).where(REPLAYABLE).returning(changed).prepare(name('replay')),
    revive: db.update(t).set(REQUEUED).where(REVIVABLE).returning(changed).prepare(name('revive')),
    get: db.select().from(t).where(KEY).limit(1).prepare(name('get')),
  }
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
  const { webhookEvents: t, idempotencyKeys } = pgTables(schema)
  const rows = pgLifecycle(t)
  const { STATE, requeuedAll, live, listed, dueAt, bucketStart, COUNT, OLDEST_DUE } = rows
  const statements = prepareStatements(db, t, schema, rows)
  const channel = `webhook_inbox ${schema}`.slice(0, 63)
  let closed = false

  let readying: Promise<void> | undefined
  function ready(): Promise<void> {
    if (closed) return Promise.reject(new WebhookError('store_unavailable', 'postgres: the store is closed'))
    return (readying ??= (options.migrate === false ? pool.query('SELECT 1').then(ignore) : migratePostgres(pool, schema)).catch((cause: unknown) => {
      // Not cached: an outage at start-up must not outlive the outage.
      readying = undefined
      const { code, message = String(cause) } = pgError(cause)
      // The driver's own text may echo the part of a malformed URL it took for a host or a database.
      const reason = `${code ?? 'error'}: ${redact(message).slice(0, 500)}`
      throw new WebhookError('store_unavailable', `postgres: cannot use ${target}, schema "${schema}" (${reason})`, { cause: Object.assign(new Error(reason), { code }) })
    }))
  }

  /** Wakes sweepers listening anywhere; best effort, as their poll picks the event up anyway. */
  const notify = () => void pool.query('SELECT pg_notify($1, $2)', [channel, '']).catch(ignore)
  const notifying = <T>(changed: T) => {
    if (changed) notify()
    return changed
  }
  const listeners = onDueListeners(pool, channel, ready)

  return {
    pool,
    ready,
    keys: postgresKeys(db, idempotencyKeys, statementName(schema), ready),

    async claim(event, { now, leaseMs, queue = false }): Promise<ClaimResult> {
      await ready()
      const params = { ...event, digest: event.digest ?? null, headers: JSON.stringify(event.headers), now, lockedUntil: now + leaseMs }
      const [row] = await (queue ? statements.queue : statements.claim).execute(params)
      let result: ClaimResult
      if (row) result = { outcome: row.status === 'received' ? 'queued' : 'claimed', event: { ...event, ...row }, inserted: true }
      else {
        const [taken] = await (queue ? statements.takeOverQueued : statements.takeOver).execute(params)
        if (!taken) return { outcome: 'duplicate' }
        result = { outcome: taken.status === 'received' ? 'queued' : 'claimed', event: toStored(taken), inserted: false }
      }
      if (result.outcome === 'queued') notify()
      return result
    },

    async take(key, { now, leaseMs }) {
      await ready()
      const [row] = await statements.take.execute({ ...key, now, lockedUntil: now + leaseMs })
      return row && toStored(row)
    },

    async takeDue({ now, leaseMs, limit, providers }) {
      await ready()
      return (await statements.takeDue.execute({ now, lockedUntil: now + leaseMs, limit, providers: JSON.stringify(providers) })).map(toStored)
    },

    async due(now, limit) {
      await ready()
      return statements.due.execute({ now, limit })
    },

    async complete(key, attempt, now) {
      await ready()
      return (await statements.complete.execute({ ...key, attempt, now })).length === 1
    },

    async fail(key, attempt, { error, nextAttemptAt, now }) {
      await ready()
      const status: EventStatus = nextAttemptAt === null ? 'dead' : 'failed'
      return (await statements.fail.execute({ ...key, attempt, now, status, error, nextAttemptAt })).length === 1
    },

    async requeue(key, { now, reason }) {
      await ready()
      const rows = await (reason === 'replay' ? statements.replay : statements.revive).execute({ ...key, now })
      return notifying(rows.length === 1)
    },

    async requeueAll(status, now) {
      await ready()
      const rows = await db.update(t).set(requeuedAll(status, now)).where(eq(t.status, status)).returning({ id: t.id })
      return notifying(rows.length)
    },

    async release(key, attempt, now) {
      await ready()
      return notifying((await statements.release.execute({ ...key, attempt, now })).length === 1)
    },

    async purge({ before, statuses, now }) {
      await ready()
      if (statuses.length === 0) return 0
      const rows = await db
        .delete(t)
        .where(and(inArray(t.status, [...statuses]), lt(t.updatedAt, before), not(live(now))))
        .returning({ id: t.id })
      return rows.length
    },

    async get(key) {
      await ready()
      const [row] = await statements.get.execute({ ...key })
      return row && toStored(row)
    },

    async list(filter: ListFilter = {}) {
      await ready()
      return db
        .select({ provider: t.provider, eventId: t.eventId, ...STATE })
        .from(t)
        .where(listed(filter))
        .orderBy(desc(t.receivedAt), desc(t.id))
        .limit(filter.limit ?? 100)
    },

    async stats(now) {
      await ready()
      const [counts, due] = await Promise.all([
        db.select({ provider: t.provider, status: t.status, count: COUNT }).from(t).groupBy(t.provider, t.status),
        db.select({ at: OLDEST_DUE }).from(t).where(dueAt(now)),
      ])
      return { counts, oldestDueAt: due[0]?.at ?? null }
    },

    async activity(since, bucketMs) {
      await ready()
      const start = bucketStart(bucketMs)
      return db.select({ start, status: t.status, count: COUNT }).from(t).where(gte(t.receivedAt, since)).groupBy(start, t.status).orderBy(start)
    },

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
