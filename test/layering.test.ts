import { readdirSync } from 'node:fs'
import { join, relative } from 'node:path'
import { fileURLToPath } from 'node:url'
import { describe, expect, it } from 'vitest'
import { type Import, importsOf, packageOf, type Read, readSource, runtimePath, tsFiles, withLine } from './import-graph.js'

const root = fileURLToPath(new URL('..', import.meta.url)).replace(/\/$/, '')

/** The Web-standard core: the pipeline (src/*.ts), idempotency, the dashboard, testing. */
const coreFiles = () => [
  ...readdirSync(join(root, 'src')).filter((name) => name.endsWith('.ts')).map((name) => join(root, 'src', name)),
  ...['idempotency', 'dashboard', 'testing'].flatMap((folder) => tsFiles(join(root, 'src', folder))),
]

const DRIVER_PACKAGES = ['drizzle-orm', 'better-sqlite3', 'pg', 'mysql2']
/** A database driver, drizzle, or Node: none of them loads on Workers or in a browser. */
const isDriverOrNode = (imported: Import) =>
  imported.file === undefined && (DRIVER_PACKAGES.includes(packageOf(imported.specifier)) || imported.specifier.startsWith('node:'))

/** Why `target` (relative to the root) is out of the core's reach from `file`, if it is. */
function forbiddenTarget(file: string, target: string): string | undefined {
  // src/stores/sql/ is dialect-neutral; whether it loads drizzle is the run-time check's to say.
  if (target.startsWith('src/stores/') && !target.startsWith('src/stores/sql/')) return 'a driver'
  if (target.startsWith('src/node/') || target.startsWith('src/cli/')) return 'Node-only code'
  // Testing builds signed requests for the registry's providers; the rest of the core knows only the Provider contract.
  if (target.startsWith('providers/') && !file.startsWith('src/testing/')) return 'a provider'
  return undefined
}

/** Every import that breaks the layering, as `file imports …` lines; [] when the core is clean. */
function layeringViolations(read: Read = readSource): string[] {
  const found: string[] = []
  for (const path of coreFiles()) {
    const file = relative(root, path)
    for (const imported of importsOf(path, read)) {
      const target = imported.file === undefined ? undefined : relative(root, imported.file)
      const reason = target === undefined ? undefined : forbiddenTarget(file, target)
      if (isDriverOrNode(imported)) found.push(`${file} imports ${imported.specifier}`)
      else if (reason) found.push(`${file} imports ${reason}: ${target}`)
    }
    // Direct imports are reported above; this finds the ones a repository file in between loads.
    const chain = runtimePath(root, path, isDriverOrNode, read)
    if (chain && chain.length > 2) found.push(`${file} loads ${chain.at(-1)} at run time: ${chain.join(' → ')}`)
  }
  return found
}

describe('the core (src/*.ts, idempotency, dashboard, testing)', () => {
  it('imports no driver, no provider (testing aside), no drizzle, database driver or node:*, and loads none at run time', () => {
    expect(layeringViolations()).toEqual([])
  })

  it.each([
    ['src/inbox.ts', "import { sqliteStore } from './stores/sqlite/index.js'", 'src/inbox.ts imports a driver: src/stores/sqlite/index.ts'],
    ['src/inbox.ts', "import type { SqliteStore } from './stores/sqlite/index.js'", 'src/inbox.ts imports a driver: src/stores/sqlite/index.ts'],
    ['src/inbox.ts', "import { EVENT_STATUSES } from './stores/sqlite-core/schema.js'", 'src/inbox.ts imports a driver: src/stores/sqlite-core/schema.ts'],
    ['src/receive.ts', "import { stripe } from '../providers/stripe.js'", 'src/receive.ts imports a provider: providers/stripe.ts'],
    ['src/dashboard/index.ts', "import { readFileSync } from 'node:fs'", 'src/dashboard/index.ts imports node:fs'],
    ['src/idempotency/index.ts', "import pg from 'pg'", 'src/idempotency/index.ts imports pg'],
    ['src/digest.ts', "import { serve } from './node/index.js'", 'src/digest.ts imports Node-only code: src/node/index.ts'],
    [
      'src/idempotency/purge.ts',
      "import { createKeys } from '../stores/sql/keys.js'",
      'src/idempotency/purge.ts loads drizzle-orm at run time: src/idempotency/purge.ts → src/stores/sql/keys.ts → drizzle-orm',
    ],
  ])('layering check fails when %s gains `%s`', (file, line, violation) => {
    expect(layeringViolations(withLine(join(root, file), line))).toContain(violation)
  })

  it.each([
    ['src/testing/fixture.ts', "import { stripe } from '../../providers/stripe.js'"],
    ['src/inbox.ts', "import { splitBody } from './stores/sql/body-parts.js'"],
    ['src/inbox.ts', "import type { KeyStatements } from './stores/sql/keys.js'"],
  ])('layering check passes when %s gains `%s` (no driver, drizzle or Node loaded)', (file, line) => {
    expect(layeringViolations(withLine(join(root, file), line))).toEqual([])
  })
})

/** A Node store: its entry, its driver (an optional peer dependency) and drizzle's module that imports the driver. */
type NodeStore = readonly [entry: string, driver: string, drizzleModule: string]
const NODE_STORES: NodeStore[] = [
  ['src/stores/sqlite/index.ts', 'better-sqlite3', 'drizzle-orm/better-sqlite3'],
  ['src/stores/postgres/index.ts', 'pg', 'drizzle-orm/node-postgres'],
  ['src/stores/mysql/index.ts', 'mysql2', 'drizzle-orm/mysql2'],
]

/** The chain by which the store's entry reaches its driver: through static imports only when `linked`. */
function driverPath([entry, driver, drizzleModule]: NodeStore, linked: boolean, read: Read = readSource) {
  const loadsDriver = ({ specifier, file }: Import) =>
    file === undefined && (packageOf(specifier) === driver || specifier === drizzleModule || specifier.startsWith(`${drizzleModule}/`))
  return runtimePath(root, join(root, entry), loadsDriver, read, linked)
}

describe('the Node store entries (webhook-inbox/stores/sqlite, /postgres, /mysql)', () => {
  it.each(NODE_STORES)('%s links nothing that imports %s (Node would fail to resolve it before our check runs), and loads it later', (...store) => {
    expect(driverPath(store, true)).toBeUndefined()
    expect(driverPath(store, false)).toBeDefined()
  })

  it.each([
    ['src/stores/sqlite/index.ts', "export { sqliteStore as direct } from './store.js'", 'src/stores/sqlite/index.ts → src/stores/sqlite/store.ts → better-sqlite3'],
    ['src/stores/postgres/index.ts', "import pg from 'pg'", 'src/stores/postgres/index.ts → pg'],
    ['src/stores/sql/driver.ts', "import 'drizzle-orm/mysql2'", 'src/stores/mysql/index.ts → src/stores/sql/driver.ts → drizzle-orm/mysql2'],
  ])('store entry check fails when %s gains `%s`', (file, line, chain) => {
    const store = NODE_STORES.find(([entry]) => chain.startsWith(entry))!
    expect(driverPath(store, true, withLine(join(root, file), line))?.join(' → ')).toBe(chain)
  })
})
