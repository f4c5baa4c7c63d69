import { sql } from 'drizzle-orm'
import type { drizzle } from 'drizzle-orm/node-postgres'
import type { pgTables } from './schema.js'
import type { EventKey } from '../types.js'

interface Waiting {
  key: EventKey
  attempt: number
  now: number
  resolve(completed: boolean): void
  reject(error: unknown): void
}

const id = (provider: string, eventId: string, attempt: number) => `${provider}\u0000${eventId}\u0000${attempt}`

/**
 * `complete()` for every run that finished in one event-loop turn, in one statement: a
 * first delivery costs node-postgres two round trips (claim, complete), and under load
 * most of the inbox's time went into writing them. Each row is still fenced by its own
 * attempt, exactly as the single-row statement (`COMPLETED` where `HELD`), and each call
 * resolves with whether its own row was marked.
 */
export function completeInBatches(
  db: ReturnType<typeof drizzle>,
  table: ReturnType<typeof pgTables>['webhookEvents'],
  ready: () => Promise<void>,
): (key: EventKey, attempt: number, now: number) => Promise<boolean> {
  let queue: Waiting[] = []

  async function flush() {
    const batch = queue
    queue = []
    try {
      await ready()
      // Four array parameters whatever the batch size, so the plan is the same every time.
      const column = <T>(pick: (w: Waiting) => T) => sql.param(batch.map(pick))
      const result = await db.execute<{ provider: string; event_id: string; attempt: number }>(sql`
        UPDATE ${table} AS t
        SET status = 'processed', processed_at = v.now, locked_until = NULL, next_attempt_at = NULL, replay = false, updated_at = v.now
        FROM unnest(${column((w) => w.key.provider)}::text[], ${column((w) => w.key.eventId)}::text[],
                    ${column((w) => w.attempt)}::int[], ${column((w) => w.now)}::bigint[]) AS v(provider, event_id, attempt, now)
        WHERE t.provider = v.provider AND t.event_id = v.event_id AND t.status = 'processing' AND t.attempts = v.attempt
        RETURNING t.provider, t.event_id, v.attempt`)
      const marked = new Set(result.rows.map((row) => id(row.provider, row.event_id, Number(row.attempt))))
      for (const waiting of batch) waiting.resolve(marked.has(id(waiting.key.provider, waiting.key.eventId, waiting.attempt)))
    } catch (error) {
      for (const waiting of batch) waiting.reject(error)
    }
  }

  return (key, attempt, now) =>
    new Promise<boolean>((resolve, reject) => {
      queue.push({ key, attempt, now, resolve, reject })
      if (queue.length === 1) setImmediate(() => void flush())
    })
}
