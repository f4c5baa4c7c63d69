import { index, integer, primaryKey, real, sqliteTable, text, unique } from 'drizzle-orm/sqlite-core'

import { EVENT_STATUSES, KEY_STATUSES } from '../../statuses.js'


/**
 * One row per (provider, event_id): the dedupe table and the durable record
 * of every verified delivery. Times are Unix milliseconds.
 */
export const webhookEvents = sqliteTable(
  'webhook_events',
  {
    id: integer('id').primaryKey({ autoIncrement: true }),
    provider: text('provider').notNull(),
    eventId: text('event_id').notNull(),
    type: text('type').notNull(),
    /**
     * The raw body exactly as verified, so the event can be parsed or re-signed again;
     * for a body over one part's size, its first part (the rest in `webhook_event_parts`).
     */
    body: text('body').notNull(),
    /** How many parts the body is stored in: 1, or more for a body D1 could not hold in one value. */
    bodyParts: integer('body_parts').notNull().default(1),
    /**
     * SHA-256 (hex) of the signed bytes: a second dedupe key, so a captured delivery
     * sent again under another id (in headers the signature does not cover) is a duplicate.
     */
    digest: text('digest'),
    /** JSON object of the headers the provider needs to parse the body again. */
    headers: text('headers').notNull(),
    status: text('status', { enum: EVENT_STATUSES }).notNull(),
    /** Claims so far; also the fencing token that completes or fails one claim, so it only grows. */
    // The store's fence and the lease, under the columns' first names (no migration).
    fence: integer('attempts').notNull(),
    /** `fence` when the event was last requeued on purpose (replay, retry): runs since then count toward maxAttempts. */
    fenceBase: integer('attempt_base').notNull().default(0),
    leaseEndsAt: integer('locked_until'),
    nextAttemptAt: integer('next_attempt_at'),
    lastError: text('last_error'),
    /** The next run was asked for by a replay (`inbox.replay()`, `webhook-inbox replay`). */
    replay: integer('replay', { mode: 'boolean' }).notNull().default(false),
    /** Replays asked for so far. */
    replays: integer('replays').notNull().default(0),
    receivedAt: integer('received_at').notNull(),
    processedAt: integer('processed_at'),
    updatedAt: integer('updated_at').notNull(),
    /** The entity the event is about, from createInbox's `ordering`; null when the event is not ordered. */
    entityKey: text('entity_key'),
    /** How new the event is for its entity (Stripe's `created`, …): below the entity's `version`, it is stale. */
    entityVersion: real('entity_version'),
  },
  (t) => [
    unique('webhook_events_provider_event_id').on(t.provider, t.eventId),
    // Digest first, so the rows stored before digests existed are found by this index too.
    unique('webhook_events_digest_provider').on(t.digest, t.provider),
    index('webhook_events_status_next_attempt').on(t.status, t.nextAttemptAt),
    // The dashboard's list, newest first, unfiltered or by status or provider. SQLite
    // appends the rowid (id) to each, the keyset's tie-breaker. The status columns make
    // the chart's range scan and the GROUP BY counts read the index alone, not the rows.
    index('webhook_events_received_at_status').on(t.receivedAt, t.status),
    index('webhook_events_status_received_at').on(t.status, t.receivedAt),
    index('webhook_events_provider_status_received_at').on(t.provider, t.status, t.receivedAt),
  ],
)

/**
 * The second and later parts of a body too large for one D1 value (about 2 MB), keyed by
 * the body's digest: written before the row that points at them and never changed, so
 * a row always finds the parts of its own bytes.
 */
export const webhookEventParts = sqliteTable(
  'webhook_event_parts',
  {
    digest: text('digest').notNull(),
    /** 1 for the second part of the body, and so on. */
    part: integer('part').notNull(),
    data: text('data').notNull(),
    /** Parts no row points at (a claim that lost, a purged row) are purged once this old. */
    createdAt: integer('created_at').notNull(),
  },
  (t) => [primaryKey({ columns: [t.digest, t.part] })],
)


/**
 * One row per handler that returned for an event: a retry, a takeover after a crash or a
 * redelivery skips the handlers recorded for the event's current `generation` (its
 * `replays` when the run started), so only a replay runs every handler again. Written
 * only by the run holding the event's lease; deleted with the event by purge().
 */
export const webhookHandlerRuns = sqliteTable(
  'webhook_handler_runs',
  {
    provider: text('provider').notNull(),
    eventId: text('event_id').notNull(),
    /** The handler's `name`, or its default identity (see `inbox.on()`). */
    handler: text('handler').notNull(),
    generation: integer('generation').notNull(),
    completedAt: integer('completed_at').notNull(),
  },
  (t) => [primaryKey({ columns: [t.provider, t.eventId, t.handler, t.generation] })],
)

/**
 * One row per ordered entity (provider, entity key): the highest version processed, and
 * the run that holds the entity now, so that two events of one entity never run at once,
 * in any process. A hold lasts as long as its run's lease; purged with the events.
 */
export const webhookEntities = sqliteTable(
  'webhook_entities',
  {
    provider: text('provider').notNull(),
    entityKey: text('entity_key').notNull(),
    /** The highest `entity_version` processed; null until an event of the entity is. */
    version: real('version'),
    /** The event whose run holds the entity (null: free), that run's fence and its lease's end. */
    holder: text('holder'),
    holderFence: integer('holder_fence'),
    leaseEndsAt: integer('lease_ends_at'),
    updatedAt: integer('updated_at').notNull(),
  },
  (t) => [primaryKey({ columns: [t.provider, t.entityKey] })],
)

/**
 * One row per (scope, key) of the Idempotency-Key middleware: a run in flight, or the
 * response it stored. Times are Unix milliseconds.
 */
export const idempotencyKeys = sqliteTable(
  'idempotency_keys',
  {
    /** Whose key it is (the middleware's `scope`, e.g. an account id); '' when unscoped. */
    scope: text('scope').notNull(),
    key: text('key').notNull(),
    /** SHA-256 (hex) over method, path with query and raw body: the same key with another request is refused. */
    fingerprint: text('fingerprint').notNull(),
    method: text('method').notNull(),
    path: text('path').notNull(),
    status: text('status', { enum: KEY_STATUSES }).notNull(),
    /**
     * The running attempt's own token: only it may finish or release the key, so a run
     * taken over cannot. Kept once completed: the response's parts carry it.
     */
    lockToken: text('lock_token'),
    /**
     * When the key is forgotten (the end of its TTL), running or completed: until then the
     * key answers only the request it was first used for.
     */
    expiresAt: integer('expires_at').notNull(),
    /** A running key's lock: after it, a retry of the same request takes the key over (its run died). */
    lockedUntil: integer('locked_until'),
    responseStatus: integer('response_status'),
    /** JSON object of the response headers that are replayed. */
    responseHeaders: text('response_headers'),
    /**
     * Base64 of the response body, so it replays byte for byte on every driver; for a body
     * over one part's size, its first part (the rest in `idempotency_key_parts`).
     */
    responseBody: text('response_body'),
    /** How many parts the response body is stored in, as `webhook_events.body_parts`. */
    responseParts: integer('response_parts').notNull().default(1),
    createdAt: integer('created_at').notNull(),
    updatedAt: integer('updated_at').notNull(),
  },
  (t) => [primaryKey({ columns: [t.scope, t.key] }), index('idempotency_keys_expires_at').on(t.expiresAt)],
)

/**
 * The second and later parts of a response body too large for one D1 value, keyed by
 * the token of the run that stored it: written before the key is completed, and purged
 * once no key row carries that token (purged, taken over, or a finish that lost).
 */
export const idempotencyKeyParts = sqliteTable(
  'idempotency_key_parts',
  {
    scope: text('scope').notNull(),
    key: text('key').notNull(),
    token: text('token').notNull(),
    /** 1 for the second part of the body, and so on. */
    part: integer('part').notNull(),
    data: text('data').notNull(),
  },
  (t) => [primaryKey({ columns: [t.scope, t.key, t.token, t.part] })],
)
