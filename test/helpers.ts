import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach } from 'vitest'
import type { Provider, SignInput } from '../providers/types.js'
import { sqliteStore } from '../src/stores/sqlite.js'
import type { Store } from '../src/stores/types.js'

/** A fixed clock: 2026-01-01T00:00:00Z, in ms. */
export const NOW = 1_767_225_600_000

const cleanups: (() => void | Promise<void>)[] = []
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup()
})

/** A real SQLite file in a fresh temporary folder; `dispose()` closes and removes it. */
export function openTempStore(): { store: Store; path: string; dispose: () => Promise<void> } {
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
export function tempStore(): { store: Store; path: string } {
  const { store, path, dispose } = openTempStore()
  cleanups.push(dispose)
  return { store, path }
}

export function onCleanup(cleanup: () => void | Promise<void>) {
  cleanups.push(cleanup)
}

/** A delivery signed by `provider.sign()`, POSTed to `/webhooks/<name>`. */
export async function signedDelivery(provider: Provider, name: string, input: SignInput, url = 'http://inbox.test') {
  const headers = await provider.sign(input)
  return new Request(`${url}/webhooks/${name}`, { method: 'POST', headers, body: input.body })
}

/** Polls until `check` holds, for at most `ms`. */
export async function waitFor(check: () => boolean | Promise<boolean>, ms: number, what: string) {
  const deadline = Date.now() + ms
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out after ${ms} ms waiting for ${what}`)
    await new Promise((resolve) => setTimeout(resolve, 25))
  }
}
