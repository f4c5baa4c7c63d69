import { and, desc, eq, gte, lte, or, sql, type SQL } from 'drizzle-orm'
import type { BaseSQLiteDatabase } from 'drizzle-orm/sqlite-core'
import { webhookEvents as t } from './schema.js'
import type { ClaimResult, EventKey, ListFilter, NewEvent, Store, StoredEvent } from './types.js'

// Shared by the better-sqlite3 (sync) and D1 (async) drivers: drizzle queries are
// awaitable on both, so the statements are written once.
// `any`: the run-result type differs per driver and no statement here reads it.
type AnySqliteDb = BaseSQLiteDatabase<'sync' | 'async', any>

type Row = typeof t.$inferSelect

function toStored({ id: _id, headers, ...row }: Row): StoredEvent {
  return { ...row, headers: JSON.parse(headers) as Record<string, string> }
}

function keyIs(key: EventKey) {
  return and(eq(t.provider, key.provider), eq(t.eventId, key.eventId))
}

/** Store over any drizzle SQLite database that already has the schema applied. */
export function createSqlStore(db: AnySqliteDb, close: () => Promise<void> = async () => {}): Store {
  return {
    async claim(event: NewEvent, { now, leaseMs }): Promise<ClaimResult> {
      const lockedUntil = now + leaseMs
      // One statement decides it: a new row is inserted, a failed or abandoned one is
      // taken over, and anything else is left alone (ON CONFLICT … WHERE false acts as
      // DO NOTHING), so two concurrent deliveries can never both be handed the event.
      const rows: Row[] = await db
        .insert(t)
        .values({
          ...event,
          headers: JSON.stringify(event.headers),
          status: 'processing',
          attempts: 1,
          lockedUntil,
          receivedAt: now,
          updatedAt: now,
        })
        .onConflictDoUpdate({
          target: [t.provider, t.eventId],
          set: { status: 'processing', attempts: sql`${t.attempts} + 1`, lockedUntil, updatedAt: now },
          setWhere: or(eq(t.status, 'failed'), and(eq(t.status, 'processing'), lte(t.lockedUntil, now))),
        })
        .returning()
      const row = rows[0]
      return row ? { outcome: 'claimed', event: toStored(row) } : { outcome: 'duplicate' }
    },

    async complete(key, attempt, now) {
      const rows = await db
        .update(t)
        .set({ status: 'processed', processedAt: now, lockedUntil: null, nextAttemptAt: null, updatedAt: now })
        .where(and(keyIs(key), eq(t.status, 'processing'), eq(t.attempts, attempt)))
        .returning({ id: t.id })
      return rows.length === 1
    },

    async fail(key, attempt, { error, nextAttemptAt, now }) {
      const rows = await db
        .update(t)
        .set({
          status: nextAttemptAt === null ? 'dead' : 'failed',
          lastError: error,
          nextAttemptAt,
          lockedUntil: null,
          updatedAt: now,
        })
        .where(and(keyIs(key), eq(t.status, 'processing'), eq(t.attempts, attempt)))
        .returning({ id: t.id })
      return rows.length === 1
    },

    async get(key) {
      const rows: Row[] = await db.select().from(t).where(keyIs(key)).limit(1)
      return rows[0] && toStored(rows[0])
    },

    async list(filter: ListFilter = {}) {
      const conditions: SQL[] = []
      if (filter.provider !== undefined) conditions.push(eq(t.provider, filter.provider))
      if (filter.status !== undefined) conditions.push(eq(t.status, filter.status))
      if (filter.since !== undefined) conditions.push(gte(t.receivedAt, filter.since))
      const rows: Row[] = await db
        .select()
        .from(t)
        .where(and(...conditions))
        .orderBy(desc(t.receivedAt), desc(t.id))
        .limit(filter.limit ?? 100)
      return rows.map(toStored)
    },

    close,
  }
}
