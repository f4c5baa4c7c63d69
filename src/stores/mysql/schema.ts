import { sql } from 'drizzle-orm'
import { bigint, boolean, customType, double, index, int, mysqlTable, primaryKey, unique, varbinary, varchar } from 'drizzle-orm/mysql-core'
import { EVENT_STATUSES, KEY_STATUSES } from '../../statuses.js'

/**
 * Text in utf8mb4 whatever the database's default (MariaDB's is latin1, which cannot
 * hold an emoji), compared byte for byte. `text` holds 64 KiB, `longtext` 4 GiB.
 */
const utf8 = (size: 'text' | 'longtext') =>
  customType<{ data: string; driverData: string }>({ dataType: () => `${size} CHARACTER SET utf8mb4 COLLATE utf8mb4_bin` })

const text = utf8('text')
const longtext = utf8('longtext')
const millis = (name: string) => bigint(name, { mode: 'number' })
/**
 * Dedupe keys compare byte for byte: `evt_a`, `evt_A` and `evt_a ` are three events. The
 * default collations ignore case and trailing spaces, and MySQL's utf8mb4_bin still pads,
 * so keys are VARBINARY, bounded as unique keys must be.
 */
const key = (name: string, length: number) => varbinary(name, { length })

/**
 * The MySQL/MariaDB dialect's tables, column for column the SQLite ones (see ../sqlite-core/schema.ts
 * for what each column means); times are Unix milliseconds in bigint columns, read back as
 * JS numbers. Event ids are up to 512 bytes, providers, scopes and idempotency keys 255.
 *
 * Bodies are stored in parts as on SQLite (webhook_event_parts): a row or a value larger
 * than the server's max_allowed_packet (16 MiB by default on MariaDB, 4 MiB on MySQL 5.7
 * and many managed servers) can be neither written nor read, and providers send 25 MB.
 */
export const webhookEvents = mysqlTable(
  'webhook_events',
  {
    id: bigint('id', { mode: 'number', unsigned: true }).autoincrement().primaryKey(),
    provider: key('provider', 255).notNull(),
    eventId: key('event_id', 512).notNull(),
    type: text('type').notNull(),
    body: longtext('body').notNull(),
    bodyParts: int('body_parts').notNull().default(1),
    digest: key('digest', 64),
    headers: text('headers').notNull(),
    status: varchar('status', { length: 16, enum: EVENT_STATUSES }).notNull(),
    // The store's fence and the lease, under the columns' first names (no migration).
    fence: int('attempts').notNull(),
    fenceBase: int('attempt_base').notNull().default(0),
    leaseEndsAt: millis('locked_until'),
    nextAttemptAt: millis('next_attempt_at'),
    lastError: text('last_error'),
    replay: boolean('replay').notNull().default(false),
    replays: int('replays').notNull().default(0),
    receivedAt: millis('received_at').notNull(),
    processedAt: millis('processed_at'),
    updatedAt: millis('updated_at').notNull(),
    entityKey: key('entity_key', 255),
    entityVersion: double('entity_version'),
    /**
     * When the row is (or becomes) due, lifecycle.ts's DUE_ORDER, kept by the server. The
     * sweeper's batch reads this index in order, so `FOR UPDATE SKIP LOCKED … LIMIT n`
     * locks n rows and stops; sorting the expression instead locks every due row first,
     * and a second sweeper then finds them all taken.
     */
    dueAt: millis('due_at').generatedAlwaysAs(sql`coalesce(next_attempt_at, locked_until)`, { mode: 'stored' }),
  },
  (t) => [
    unique('webhook_events_provider_event_id').on(t.provider, t.eventId),
    unique('webhook_events_digest_provider').on(t.digest, t.provider),
    index('webhook_events_status_next_attempt').on(t.status, t.nextAttemptAt),
    index('webhook_events_due_at').on(t.dueAt),
    // The dashboard's list, filters, chart and counts, as on SQLite; InnoDB appends the
    // primary key (the keyset's tie-breaker) to every secondary index.
    index('webhook_events_received_at_status').on(t.receivedAt, t.status),
    index('webhook_events_status_received_at').on(t.status, t.receivedAt),
    index('webhook_events_provider_status_received_at').on(t.provider, t.status, t.receivedAt),
  ],
)

/** A body's second and later parts, as ../sqlite-core/schema.ts's: written before their row, never changed. */
export const webhookEventParts = mysqlTable(
  'webhook_event_parts',
  {
    digest: key('digest', 64).notNull(),
    part: int('part').notNull(),
    data: longtext('data').notNull(),
    createdAt: millis('created_at').notNull(),
  },
  (t) => [primaryKey({ columns: [t.digest, t.part] })],
)

/** Handlers that returned, per event and generation, as ../sqlite-core/schema.ts's. */
export const webhookHandlerRuns = mysqlTable(
  'webhook_handler_runs',
  {
    provider: key('provider', 255).notNull(),
    eventId: key('event_id', 512).notNull(),
    handler: key('handler', 255).notNull(),
    generation: int('generation').notNull(),
    completedAt: millis('completed_at').notNull(),
  },
  (t) => [primaryKey({ columns: [t.provider, t.eventId, t.handler, t.generation] })],
)

/** Ordered entities, as ../sqlite-core/schema.ts's: keys byte for byte, the holder an event id. */
export const webhookEntities = mysqlTable(
  'webhook_entities',
  {
    provider: key('provider', 255).notNull(),
    entityKey: key('entity_key', 255).notNull(),
    version: double('version'),
    holder: key('holder', 512),
    holderFence: int('holder_fence'),
    leaseEndsAt: millis('lease_ends_at'),
    updatedAt: millis('updated_at').notNull(),
  },
  (t) => [primaryKey({ columns: [t.provider, t.entityKey] })],
)

/** The Idempotency-Key table, as ../sqlite-core/schema.ts's (the response body as base64 text). */
export const idempotencyKeys = mysqlTable(
  'idempotency_keys',
  {
    scope: key('scope', 255).notNull(),
    key: key('key', 255).notNull(),
    fingerprint: varchar('fingerprint', { length: 64 }).notNull(),
    method: varchar('method', { length: 16 }).notNull(),
    path: text('path').notNull(),
    status: varchar('status', { length: 16, enum: KEY_STATUSES }).notNull(),
    lockToken: varchar('lock_token', { length: 64 }),
    expiresAt: millis('expires_at').notNull(),
    lockedUntil: millis('locked_until'),
    responseStatus: int('response_status'),
    responseHeaders: text('response_headers'),
    responseBody: longtext('response_body'),
    /** How many parts the response body is stored in: 1, or more for a body over one part (as event bodies). */
    responseParts: int('response_parts').notNull().default(1),
    createdAt: millis('created_at').notNull(),
    updatedAt: millis('updated_at').notNull(),
  },
  (t) => [primaryKey({ columns: [t.scope, t.key] }), index('idempotency_keys_expires_at').on(t.expiresAt)],
)

/**
 * A stored response's second and later parts, as ../sqlite-core/schema.ts's: keyed by the
 * token of the run that stored them, written before the key is completed, purged once no
 * key row carries that token.
 */
export const idempotencyKeyParts = mysqlTable(
  'idempotency_key_parts',
  {
    scope: key('scope', 255).notNull(),
    key: key('key', 255).notNull(),
    token: varchar('token', { length: 64 }).notNull(),
    part: int('part').notNull(),
    data: longtext('data').notNull(),
  },
  (t) => [primaryKey({ columns: [t.scope, t.key, t.token, t.part] })],
)
