import { and, eq, isNotNull, isNull, lte, or, sql, type Column, type SQL } from 'drizzle-orm'
import { type LifecycleColumns, numberOrNull } from './lifecycle.js'

/** The columns of the entities table (webhook_entities), in every dialect. */
export interface EntityColumns {
  provider: Column
  entityKey: Column
  /** The highest version processed; null until one is. */
  version: Column
  /** The event whose run holds the entity, and that run's fence and lease end; null when free. */
  holder: Column
  holderFence: Column
  leaseEndsAt: Column
  updatedAt: Column
}

const p = (name: string) => sql.placeholder(name)

/**
 * Ordering per entity, over the event's named parameters provider, eventId, fence, now:
 * the conditions and sets of hold(), settle() and letGo(), once for every dialect.
 * `excluded(column)` is the dialect's name for the value an upsert tried to insert
 * (`excluded.col`; MySQL's `values(col)`); `now` the time parameter and `noVersion` a NULL
 * of the version column's type (Postgres types a SELECT's bare NULL as text).
 */
export function entities<T extends LifecycleColumns>(
  t: T,
  e: EntityColumns,
  HELD: SQL,
  { excluded, now, noVersion }: { excluded: (column: Column) => SQL; now: SQL; noVersion: SQL },
) {
  // Read from the event's row: callers name the event, not its entity.
  const ofEvent = (column: Column) => sql`(SELECT ${column} FROM ${t.id.table} WHERE ${t.provider} = ${p('provider')} AND ${t.eventId} = ${p('eventId')})`
  const ENTITY = and(eq(e.provider, p('provider')), eq(e.entityKey, ofEvent(t.entityKey)))!
  const VERSION = ofEvent(t.entityVersion)
  /** This run's own hold: the event and the fence it holds the entity under. */
  const MINE = and(eq(e.holder, p('eventId')), eq(e.holderFence, p('fence')))!
  return {
    ENTITY,
    /**
     * hold()'s INSERT … SELECT source: the event row while the run holding `fence` has it,
     * so a run that lost its lease takes nothing; the hold lasts as long as the lease.
     */
    holdFrom: {
      fields: {
        provider: t.provider as T['provider'],
        entityKey: t.entityKey as T['entityKey'],
        // In the table's column order: drizzle's INSERT … SELECT requires it.
        version: noVersion.as('version'),
        holder: sql`${t.eventId}`.as('holder'),
        holderFence: sql`${t.fence}`.as('holder_fence'),
        leaseEndsAt: sql`${t.leaseEndsAt}`.as('lease_ends_at'),
        updatedAt: now.as('updated_at'),
      },
      where: and(HELD, isNotNull(t.entityKey))!,
    },
    /** hold()'s ON CONFLICT update: the row passes to this run. */
    HOLDING: {
      holder: excluded(e.holder),
      holderFence: excluded(e.holderFence),
      leaseEndsAt: excluded(e.leaseEndsAt),
      updatedAt: excluded(e.updatedAt),
    },
    /** …only when free, when its holder's lease ran out (that run died), or when a later lease of this same event asks. */
    TAKEABLE: or(isNull(e.holder), lte(e.leaseEndsAt, p('now')), eq(e.holder, excluded(e.holder)))!,
    /**
     * settle()'s entity update, in the transaction of the event's own: a processed event
     * raises the version (never lowers it: a replay of an old event may be processed), and
     * the run lets go of its hold. The version is raised even when the hold is no longer this
     * run's (it outlived its lease), so a later run still finds the event stale-proof.
     */
    settled: (status: 'processed' | 'stale') => ({
      version:
        status === 'processed'
          ? sql`CASE WHEN ${e.version} IS NULL OR ${e.version} < ${VERSION} THEN ${VERSION} ELSE ${e.version} END`
          : sql`${e.version}`,
      ...letGo(e, MINE),
    }),
    /** settle()'s entity update applies only while the run holding `fence` has the event. */
    SETTLING: and(ENTITY, sql`EXISTS (SELECT 1 FROM ${t.id.table} WHERE ${HELD})`)!,
    /**
     * Why hold() took nothing, selected from the event's row (none: the event is gone): when
     * the entity's hold ends (null: it is free now) and whether the run still holds its event.
     */
    BLOCKED: {
      until: sql<number | null>`(SELECT ${e.leaseEndsAt} FROM ${e.provider.table} WHERE ${ENTITY})`.mapWith(numberOrNull),
      held: sql<boolean>`CASE WHEN ${HELD} THEN 1 ELSE 0 END`.mapWith((value: unknown) => Number(value) === 1),
    },
    /** letGo(): only the hold of this run. */
    LET_GO: letGo(e, MINE),
    /** This run's own hold. */
    MINE,
    /** Entities no run holds, untouched since `before`: purged with the events. */
    idleSince: (before: number, now: number) => and(lte(e.updatedAt, before), or(isNull(e.holder), lte(e.leaseEndsAt, now)))!,
  }
}

/** The sets that free the entity when `mine` (this run's hold) matches, and leave another run's hold alone. */
function letGo(e: EntityColumns, mine: SQL) {
  return {
    holder: sql`CASE WHEN ${mine} THEN NULL ELSE ${e.holder} END`,
    holderFence: sql`CASE WHEN ${mine} THEN NULL ELSE ${e.holderFence} END`,
    leaseEndsAt: sql`CASE WHEN ${mine} THEN NULL ELSE ${e.leaseEndsAt} END`,
    updatedAt: sql`${p('now')}`,
  }
}
