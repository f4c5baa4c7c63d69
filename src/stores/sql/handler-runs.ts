import { and, eq, sql, type Column, type SQL } from 'drizzle-orm'
import type { LifecycleColumns } from './lifecycle.js'

/** The columns of a handlers' success records table (webhook_handler_runs), in every dialect. */
export interface HandlerRunColumns {
  provider: Column
  eventId: Column
  handler: Column
  generation: Column
  completedAt: Column
}

const p = (name: string) => sql.placeholder(name)

/**
 * The handlers' success records beside the events, over named parameters provider,
 * eventId, generation, fence, handler, now.
 */
export function handlerRuns<T extends LifecycleColumns>(t: T, HELD: SQL) {
  return {
    /** The records of one event in one generation. */
    HANDLED_IN: (r: HandlerRunColumns) => and(eq(r.provider, p('provider')), eq(r.eventId, p('eventId')), eq(r.generation, p('generation')))!,
    /**
     * markHandled()'s INSERT … SELECT source: the event row itself while the run holding
     * `fence` has its lease in `generation`, so a run that lost it writes nothing. `handler`
     * and `now` come from the dialect (Postgres casts them: a SELECT's parameter is text).
     */
    recordOf: (handler: SQL, now: SQL) => ({
      fields: {
        provider: t.provider as T['provider'],
        eventId: t.eventId as T['eventId'],
        handler: handler.as('handler'),
        generation: t.replays as T['replays'],
        completedAt: now.as('completed_at'),
      },
      where: and(HELD, eq(t.replays, p('generation')))!,
    }),
    /**
     * The records of the events a purge is about to delete (`purgeable`), deleted first: a
     * record is only written while its event is held, which no purgeable event is, and an
     * id received again after its event is gone must find no record of the old one.
     */
    OF_PURGEABLE: (r: HandlerRunColumns, purgeable: SQL) =>
      sql`EXISTS (SELECT 1 FROM ${t.id.table} WHERE ${t.provider} = ${r.provider} AND ${t.eventId} = ${r.eventId} AND ${purgeable})`,
  }
}
