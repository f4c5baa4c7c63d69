import { bigint, bigserial, boolean, doublePrecision, index, integer, pgSchema, pgTable, primaryKey, text, unique } from 'drizzle-orm/pg-core'
import { EVENT_STATUSES, KEY_STATUSES } from '../../statuses.js'

/**
 * The pg dialect's webhook_events and idempotency_keys, column for column the SQLite
 * tables (see ../sqlite-core/schema.ts for what each column means), in the Postgres schema `schema`. Times
 * are Unix milliseconds in bigint columns, read back as JS numbers.
 *
 * There is no webhook_event_parts table: parts exist because a D1 value holds about
 * 2 MB, while a Postgres text value holds up to 1 GB, so every body is stored whole
 * and `body_parts` is always 1 (kept so a row has the same shape on every store).
 */
export function pgTables(schema: string) {
  // drizzle refuses pgSchema('public'); the two table functions differ only in that schema name.
  const table = schema === 'public' ? pgTable : (pgSchema(schema).table as unknown as typeof pgTable)
  const millis = (name: string) => bigint(name, { mode: 'number' })
  const webhookEvents = table(
    'webhook_events',
    {
      id: bigserial('id', { mode: 'number' }).primaryKey(),
      provider: text('provider').notNull(),
      eventId: text('event_id').notNull(),
      type: text('type').notNull(),
      body: text('body').notNull(),
      bodyParts: integer('body_parts').notNull().default(1),
      digest: text('digest'),
      headers: text('headers').notNull(),
      status: text('status', { enum: EVENT_STATUSES }).notNull(),
      // The store's fence and the lease, under the columns' first names (no migration).
      fence: integer('attempts').notNull(),
      fenceBase: integer('attempt_base').notNull().default(0),
      leaseEndsAt: millis('locked_until'),
      nextAttemptAt: millis('next_attempt_at'),
      lastError: text('last_error'),
      replay: boolean('replay').notNull().default(false),
      replays: integer('replays').notNull().default(0),
      receivedAt: millis('received_at').notNull(),
      processedAt: millis('processed_at'),
      updatedAt: millis('updated_at').notNull(),
      entityKey: text('entity_key'),
      entityVersion: doublePrecision('entity_version'),
    },
    (t) => [
      unique('webhook_events_provider_event_id').on(t.provider, t.eventId),
      unique('webhook_events_digest_provider').on(t.digest, t.provider),
      index('webhook_events_status_next_attempt').on(t.status, t.nextAttemptAt),
      // The dashboard's list, filters, chart and counts, as on SQLite (../sqlite-core/schema.ts); the
      // keyset's tie-breaker is the id, added last since Postgres does not append it.
      index('webhook_events_received_at_status').on(t.receivedAt, t.status, t.id),
      index('webhook_events_status_received_at').on(t.status, t.receivedAt, t.id),
      index('webhook_events_provider_status_received_at').on(t.provider, t.status, t.receivedAt, t.id),
    ],
  )
  // Handlers that returned, per event and generation, as ../sqlite-core/schema.ts's.
  const webhookHandlerRuns = table(
    'webhook_handler_runs',
    {
      provider: text('provider').notNull(),
      eventId: text('event_id').notNull(),
      handler: text('handler').notNull(),
      generation: integer('generation').notNull(),
      completedAt: millis('completed_at').notNull(),
    },
    (t) => [primaryKey({ columns: [t.provider, t.eventId, t.handler, t.generation] })],
  )
  // Ordered entities, as ../sqlite-core/schema.ts's: the holder is an event id.
  const webhookEntities = table(
    'webhook_entities',
    {
      provider: text('provider').notNull(),
      entityKey: text('entity_key').notNull(),
      version: doublePrecision('version'),
      holder: text('holder'),
      holderFence: integer('holder_fence'),
      leaseEndsAt: millis('lease_ends_at'),
      updatedAt: millis('updated_at').notNull(),
    },
    (t) => [primaryKey({ columns: [t.provider, t.entityKey] })],
  )
  // The Idempotency-Key table, as ../sqlite-core/schema.ts's: the response body is base64 text there
  // and here, so one record mapping (../sql/keys.ts) serves every store. As for
  // events, no parts table: a text value holds the largest response whole.
  const idempotencyKeys = table(
    'idempotency_keys',
    {
      scope: text('scope').notNull(),
      key: text('key').notNull(),
      fingerprint: text('fingerprint').notNull(),
      method: text('method').notNull(),
      path: text('path').notNull(),
      status: text('status', { enum: KEY_STATUSES }).notNull(),
      lockToken: text('lock_token'),
      expiresAt: millis('expires_at').notNull(),
      lockedUntil: millis('locked_until'),
      responseStatus: integer('response_status'),
      responseHeaders: text('response_headers'),
      responseBody: text('response_body'),
      createdAt: millis('created_at').notNull(),
      updatedAt: millis('updated_at').notNull(),
    },
    (t) => [primaryKey({ columns: [t.scope, t.key] }), index('idempotency_keys_expires_at').on(t.expiresAt)],
  )
  return { webhookEvents, webhookHandlerRuns, webhookEntities, idempotencyKeys }
}

/** The tables in `public`, for drizzle-kit (drizzle.pg.config.ts); migrations name no schema, so they apply to any. */
export const { webhookEvents, webhookHandlerRuns, webhookEntities, idempotencyKeys } = pgTables('public')
