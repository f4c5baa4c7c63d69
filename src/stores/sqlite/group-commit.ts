import type Database from 'better-sqlite3'
import type { ClaimResult, IdempotencyKeys, NewEvent, OrderedStore, TransactionalKeys, TransactionalStore } from '../../store.js'

interface Pending {
  run: () => Promise<unknown>
  resolve: (value: unknown) => void
  reject: (error: unknown) => void
  /** A transaction of its own (a handler's or an endpoint's) that may await: it runs alone, and what is queued after it waits. */
  alone?: true
}

/**
 * Group commit: the writes made while one event-loop turn handles a burst of
 * requests run together in one IMMEDIATE transaction, flushed on `setImmediate`.
 * Each call still resolves only after its COMMIT returned, so no answer is sent
 * before its write is durable; a batch costs one WAL commit (and, with
 * `durability: 'full'`, one fsync) instead of one per statement.
 *
 * Reads (`get`, `list`, `stats`, `activity`) run on the connection at once, outside any batch: in
 * WAL mode a reader never waits for a writer, whereas BEGIN IMMEDIATE would wait for
 * the write lock — synchronously, stalling this process — and make every other
 * process's writes wait for the read. A read sees every write whose call has
 * resolved; one issued before an earlier write resolved may not see that write.
 *
 * The store's methods execute their statement when called (better-sqlite3 is
 * synchronous), so the whole batch runs between BEGIN and COMMIT; a statement that
 * fails rejects its own call only. If BEGIN or COMMIT fails, or SQLite rolls the
 * transaction back on its own, every call in the batch rejects and none of it was
 * written.
 */
export function createBatch(database: Database.Database, committed: () => void = () => {}) {
  let queue: Pending[] = []
  /** A transaction of its own is running: the connection is inside it, so nothing else may begin. */
  let alone = false

  function flush() {
    if (alone || queue.length === 0) return
    const first = queue[0]!
    if (first.alone) return runAlone(queue.shift()!)
    const end = queue.findIndex((op) => op.alone)
    const batch = end === -1 ? queue : queue.slice(0, end)
    queue = end === -1 ? [] : queue.slice(end)
    commitBatch(batch)
    flush()
  }

  function commitBatch(batch: Pending[]) {
    try {
      database.exec('BEGIN IMMEDIATE')
    } catch (error) {
      for (const op of batch) op.reject(error)
      return
    }
    const results: Promise<unknown>[] = []
    for (const op of batch) {
      // After an error that made SQLite roll back by itself, a statement would run in autocommit.
      if (!database.inTransaction) break
      try {
        results.push(op.run())
      } catch (error) {
        results.push(Promise.reject(error))
      }
    }
    for (const result of results) result.catch(() => {})
    try {
      if (!database.inTransaction) throw new Error('the batch transaction was rolled back')
      database.exec('COMMIT')
    } catch (error) {
      if (database.inTransaction) database.exec('ROLLBACK')
      for (const op of batch) op.reject(error)
      return
    }
    committed()
    batch.forEach((op, i) => results[i]!.then(op.resolve, op.reject))
  }

  async function runAlone(op: Pending) {
    alone = true
    try {
      database.exec('BEGIN IMMEDIATE')
      try {
        const value = await op.run()
        database.exec('COMMIT')
        committed()
        op.resolve(value)
      } catch (error) {
        if (database.inTransaction) database.exec('ROLLBACK')
        throw error
      }
    } catch (error) {
      op.reject(error)
    } finally {
      alone = false
      if (queue.length > 0) setImmediate(flush)
    }
  }

  function push(op: Pending) {
    queue.push(op)
    if (queue.length === 1 && !alone) setImmediate(flush)
  }

  function enqueue<A extends unknown[], R>(method: (...args: A) => Promise<R>) {
    return (...args: A) =>
      new Promise<R>((resolve, reject) => push({ run: () => method(...args), resolve: resolve as (value: unknown) => void, reject }))
  }

  return {
    enqueue,
    /**
     * Runs `work` in a transaction of its own, after what is queued before it: between BEGIN
     * IMMEDIATE and COMMIT (ROLLBACK when it throws). It may await; meanwhile the
     * connection is inside its transaction, so the writes queued after it wait for its
     * end, and other processes wait for the write lock (up to their busy timeout).
     */
    exclusive: <R>(work: () => Promise<R>) =>
      new Promise<R>((resolve, reject) => push({ run: work, resolve: resolve as (value: unknown) => void, reject, alone: true })),
    /** Commits what is queued now, before the connection closes. */
    flushNow() {
      if (queue.length > 0) flush()
    },
  }
}

type Batch = ReturnType<typeof createBatch>

const DUPLICATE: ClaimResult = { outcome: 'duplicate' }

/**
 * `settled(event)`: a read of whether the row with the event's id and signed bytes is
 * `processed` or `dead`. Such a row is a duplicate for any claim of those bytes (neither
 * state is claimable; other bytes under that id may name another row), so the claim is answered
 * from the read, without a write transaction or waiting for the next batch. The read
 * only ever shortcuts to that answer: every other row (none yet, waiting, failed, a
 * lease running or run out) goes through the claim's one statement as before. A row
 * that turns processed just after the read is seen by that statement instead.
 */
export function groupCommit<S extends OrderedStore & Partial<Pick<TransactionalStore<unknown>, 'transaction'>>>(store: S, batch: Batch, settled?: (event: NewEvent) => boolean): S {
  const { enqueue } = batch
  const claim = enqueue(store.claim)
  return {
    // Runs alone through batch.exclusive already (see createSqlStore's caller).
    ...(store.transaction && { transaction: store.transaction }),
    claim:
      settled === undefined
        ? claim
        : (event, options) => {
            try {
              if (settled(event)) return Promise.resolve(DUPLICATE)
            } catch (error) {
              return Promise.reject(error)
            }
            return claim(event, options)
          },
    take: enqueue(store.take),
    takeDue: enqueue(store.takeDue),
    markHandled: enqueue(store.markHandled),
    complete: enqueue(store.complete),
    hold: enqueue(store.hold),
    settle: enqueue(store.settle),
    letGo: enqueue(store.letGo),
    fail: enqueue(store.fail),
    requeue: enqueue(store.requeue),
    requeueAll: enqueue(store.requeueAll),
    release: enqueue(store.release),
    purge: enqueue(store.purge),
    get: store.get,
    handled: store.handled,
    list: store.list,
    stats: store.stats,
    activity: store.activity,
    async close() {
      batch.flushNow()
      await store.close()
    },
  } as S
}

/** The idempotency keys on the same batches as the events: writes queued, reads direct. */
export function groupCommitKeys<K extends IdempotencyKeys & Partial<Pick<TransactionalKeys<unknown>, 'transaction'>>>(keys: K, { enqueue }: Batch): K {
  return {
    ...(keys.transaction && { transaction: keys.transaction }),
    begin: enqueue(keys.begin),
    finish: enqueue(keys.finish),
    release: enqueue(keys.release),
    purge: enqueue(keys.purge),
    get: keys.get,
    list: keys.list,
  } as K
}
