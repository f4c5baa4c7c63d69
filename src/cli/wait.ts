import type { EventKey, EventSummary, Store } from '../store.js'
import { bar } from './format.js'
import type { Io } from './context.js'

/**
 * Polls the store until `settled` has held once for every key, drawing a progress
 * bar; the server's sweeper does the work. Reads summaries, never bodies, and stops
 * reading a key once it settled: that row is the outcome of the run waited for, even
 * if a later retry starts it again. Resolves with the settled rows in key order, or
 * undefined on timeout.
 */
export async function waitForRuns(
  store: Store,
  keys: EventKey[],
  settled: (event: EventSummary, key: EventKey) => boolean,
  io: Io,
  timeoutMs: number,
): Promise<EventSummary[] | undefined> {
  const deadline = Date.now() + timeoutMs
  const results: (EventSummary | undefined)[] = keys.map(() => undefined)
  let done = 0
  for (;;) {
    for (const [i, key] of keys.entries()) {
      if (results[i] !== undefined) continue
      const [row] = await store.list({ provider: key.provider, eventId: key.eventId, limit: 1 })
      if (row !== undefined && settled(row, key)) {
        results[i] = row
        done++
      }
    }
    io.progress(bar(done, keys.length))
    if (done === keys.length) return results as EventSummary[]
    if (Date.now() > deadline) return undefined
    await new Promise((resolve) => setTimeout(resolve, 200))
  }
}
