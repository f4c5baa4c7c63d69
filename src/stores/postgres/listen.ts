import type pg from 'pg'
import { quoteIdent } from './migrate.js'

const RETRY_MS = 1_000

/**
 * `LISTEN` on one connection held from the pool while anyone listens, calling every
 * listener on each `NOTIFY`. A connection that breaks (a restart) is replaced after
 * RETRY_MS; listeners are called once on every (re)connect, as notifications sent
 * while nobody listened are gone.
 */
export function onDueListeners(pool: pg.Pool, channel: string, ready: () => Promise<void>) {
  const listeners = new Set<() => void>()
  let running: Promise<void> | undefined
  let stop: (() => void) | undefined
  const wake = () => {
    for (const listener of listeners) listener()
  }

  async function session() {
    await ready()
    const connection = await pool.connect()
    try {
      const ended = new Promise<void>((resolve) => {
        stop = resolve
        connection.on('error', () => resolve())
        connection.on('end', () => resolve())
      })
      connection.on('notification', wake)
      await connection.query(`LISTEN ${quoteIdent(channel)}`)
      // Unsubscribed while connecting: nobody would stop this session.
      if (listeners.size === 0) return
      wake()
      await ended
    } finally {
      // Destroyed, not returned: a connection that listened must not serve queries.
      connection.release(true)
    }
  }

  async function loop() {
    while (listeners.size > 0) {
      await session().catch(() => {})
      if (listeners.size === 0) return
      await new Promise<void>((resolve) => {
        stop = resolve
        setTimeout(resolve, RETRY_MS).unref()
      })
    }
  }

  return {
    add(listener: () => void): () => void {
      listeners.add(listener)
      running ??= loop().finally(() => (running = undefined))
      return () => {
        listeners.delete(listener)
        if (listeners.size === 0) stop?.()
      }
    },
    async close() {
      listeners.clear()
      stop?.()
      await running
    },
  }
}
