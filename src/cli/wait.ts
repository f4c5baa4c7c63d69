import type { EventKey, Store, StoredEvent } from '../stores/types.js'
import { bar } from './format.js'
import type { Io } from './context.js'

/**
 * Polls the store until `settled` holds for every key, drawing a progress bar; the
 * server's sweeper does the work. Resolves with the final rows, or undefined on timeout.
 */
export async function waitForRuns(
  store: Store,
  keys: EventKey[],
  settled: (event: StoredEvent, key: EventKey) => boolean,
  io: Io,
  timeoutMs: number,
): Promise<StoredEvent[] | undefined> {
  const deadline = Date.now() + timeoutMs
  for (;;) {
    const rows = await Promise.all(keys.map((key) => store.get(key)))
    const done = rows.filter((row, i) => row !== undefined && settled(row, keys[i]!)).length
    io.progress(bar(done, keys.length))
    if (done === keys.length) return rows as StoredEvent[]
    if (Date.now() > deadline) return undefined
    await new Promise((resolve) => setTimeout(resolve, 200))
  }
}
