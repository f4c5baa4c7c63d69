import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach } from 'vitest'
import { type SqliteStore, sqliteStore } from '../src/stores/sqlite/index.js'

const cleanups: (() => void | Promise<void>)[] = []
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup()
})

/** A real SQLite file in a fresh temporary folder; `dispose()` closes and removes it. */
export function openTempStore(): { store: SqliteStore; path: string; dispose: () => Promise<void> } {
  const dir = mkdtempSync(join(tmpdir(), 'webhook-inbox-'))
  const path = join(dir, 'webhooks.db')
  const store = sqliteStore({ path })
  const dispose = async () => {
    await store.close()
    rmSync(dir, { recursive: true, force: true })
  }
  return { store, path, dispose }
}

/** A temporary SQLite store that lives for one test. */
export function tempStore(): { store: SqliteStore; path: string } {
  const { store, path, dispose } = openTempStore()
  cleanups.push(dispose)
  return { store, path }
}

export function onCleanup(cleanup: () => void | Promise<void>) {
  cleanups.push(cleanup)
}
