import { createRequire } from 'node:module'
import { Worker } from 'node:worker_threads'

/**
 * Copies the WAL back into the database file on a thread of its own. SQLite's automatic
 * checkpoint runs inside the COMMIT that crosses its threshold, on the thread that
 * committed: the copy and its fsync would stall every request of this process for as
 * long as they take. From another connection a PASSIVE checkpoint never blocks a
 * writer, and the next write transaction after a complete one starts the WAL over, so
 * the main connection's own threshold (kept as a backstop) is not reached while this
 * thread keeps up.
 *
 * Plain CommonJS, evaluated: it must run the same from the sources (tsx) and from dist/.
 */
const WORKER = `
const { parentPort, workerData } = require('node:worker_threads')
const Database = require(workerData.module)
const db = new Database(workerData.path, { fileMustExist: true })
db.pragma('synchronous = ' + workerData.synchronous)
const wrote = new Int32Array(workerData.wrote)
const checkpoint = () => {
  // A failed pass leaves the WAL to the next one, or to the main connection's backstop.
  try { db.pragma('wal_checkpoint(PASSIVE)') } catch {}
}
const timer = setInterval(() => { if (Atomics.exchange(wrote, 0, 0) === 1) checkpoint() }, workerData.intervalMs)
parentPort.once('message', () => {
  clearInterval(timer)
  db.close()
  parentPort.close()
})
`

export interface Checkpointer {
  /** Called after each commit; the thread starts on the first. */
  wrote(): void
  /** Stops the thread, before the main connection closes (its close then checkpoints the rest). */
  close(): Promise<void>
}

/** How often the thread looks for new commits: at thousands of events a second, a few MiB of WAL. */
const INTERVAL_MS = 100

export function checkpointer(path: string, synchronous: 'NORMAL' | 'FULL'): Checkpointer {
  const wrote = new Int32Array(new SharedArrayBuffer(4))
  let thread: { worker: Worker; exited: Promise<unknown> } | undefined
  return {
    wrote() {
      Atomics.store(wrote, 0, 1)
      if (thread !== undefined) return
      const module = createRequire(import.meta.url).resolve('better-sqlite3')
      const worker = new Worker(WORKER, { eval: true, workerData: { module, path, synchronous, wrote: wrote.buffer, intervalMs: INTERVAL_MS } })
      thread = { worker, exited: new Promise((resolve) => worker.once('exit', resolve)) }
      // Never what keeps a process alive; if it fails, the main connection's backstop checkpoints.
      worker.unref()
      worker.on('error', () => {})
    },
    async close() {
      if (thread === undefined) return
      // Waited for, so it must keep the process alive until it has closed its connection.
      thread.worker.ref()
      thread.worker.postMessage('close')
      await thread.exited
    },
  }
}
