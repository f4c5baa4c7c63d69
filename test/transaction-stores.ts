// Every store with transactions (SQLite, Postgres, MySQL) as one list, each with an empty
// database of one test's own holding the effects table, so a ctx.transaction guarantee is
// written once and `describeEachTransactionStore` runs it on each.
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { describe } from 'vitest'
import type { Store } from '../src/store.js'
import { sqliteStore } from '../src/stores/sqlite/index.js'
import { effectsAt, type EffectsTable } from './effects-table.js'
import { onCleanup } from './node-helpers.js'
import { SERVER_STORES } from './server-stores.js'

/** An empty database of one test's own (gone after it), with the effects table created. */
export interface EffectsPlace {
  /** What points a fixture server at it. */
  serverEnv: Record<string, string>
  /** A store on it (another instance each call), closed after the test. */
  open(): Store
  effects: EffectsTable
}

export interface TransactionStore {
  name: 'sqlite' | 'postgres' | 'mysql'
  /** The `describe` title: which store, or why it skips. */
  title: string
  /** False when its test server's URL is unset. */
  available: boolean
  fresh(tag: string): Promise<EffectsPlace>
}

const sqlite: TransactionStore = {
  name: 'sqlite',
  title: 'SQLite file',
  available: true,
  async fresh(tag) {
    const dir = mkdtempSync(join(tmpdir(), `webhook-inbox-${tag}-`))
    onCleanup(() => rmSync(dir, { recursive: true, force: true }))
    const path = join(dir, 'webhooks.db')
    const open = () => {
      const store = sqliteStore({ path })
      onCleanup(() => store.close())
      return store
    }
    return withEffects({ serverEnv: { WEBHOOK_INBOX_DB: path }, open })
  },
}

async function withEffects(place: Omit<EffectsPlace, 'effects'>): Promise<EffectsPlace> {
  const effects = effectsAt(place.serverEnv)
  await effects.create()
  return { ...place, effects }
}

/** SQLite and every server dialect of test/server-stores.ts, those without their URL skipped. */
export const TRANSACTION_STORES: readonly TransactionStore[] = [
  sqlite,
  ...SERVER_STORES.map((dialect): TransactionStore => ({
    name: dialect.name,
    title: dialect.title,
    available: dialect.url !== '',
    fresh: async (tag) => {
      const place = await dialect.fresh(tag)
      return withEffects({ serverEnv: place.serverEnv, open: () => place.open() })
    },
  })),
]

/** `describe(title)` once per store with transactions, each skipped without its server. */
export function describeEachTransactionStore(title: string, body: (kind: TransactionStore) => void) {
  for (const kind of TRANSACTION_STORES) describe.skipIf(!kind.available)(`${title} (${kind.title})`, () => body(kind))
}
