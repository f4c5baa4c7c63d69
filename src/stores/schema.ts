import { index, integer, sqliteTable, text, unique } from 'drizzle-orm/sqlite-core'

export const EVENT_STATUSES = ['received', 'processing', 'processed', 'failed', 'dead'] as const

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
    /** The raw body exactly as verified, so the event can be parsed or re-signed again. */
    body: text('body').notNull(),
    /** JSON object of the headers the provider needs to parse the body again. */
    headers: text('headers').notNull(),
    status: text('status', { enum: EVENT_STATUSES }).notNull(),
    /** Claims so far; also the fencing token that completes or fails one claim, so it only grows. */
    attempts: integer('attempts').notNull(),
    /** `attempts` when the event was last requeued on purpose (replay, revive): runs since then count toward maxAttempts. */
    attemptBase: integer('attempt_base').notNull().default(0),
    lockedUntil: integer('locked_until'),
    nextAttemptAt: integer('next_attempt_at'),
    lastError: text('last_error'),
    /** The next run was asked for by a replay (`inbox.replay()`, `webhook-inbox replay`). */
    replay: integer('replay', { mode: 'boolean' }).notNull().default(false),
    /** Replays asked for so far. */
    replays: integer('replays').notNull().default(0),
    receivedAt: integer('received_at').notNull(),
    processedAt: integer('processed_at'),
    updatedAt: integer('updated_at').notNull(),
  },
  (t) => [
    unique('webhook_events_provider_event_id').on(t.provider, t.eventId),
    index('webhook_events_status_next_attempt').on(t.status, t.nextAttemptAt),
  ],
)
