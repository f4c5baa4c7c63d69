import { readdirSync } from 'node:fs'
import { join, relative } from 'node:path'
import { fileURLToPath } from 'node:url'
import { describe, expect, it } from 'vitest'
import { type Import, importsOf, packageOf, type Read, readSource, runtimePath, tsFiles } from './import-graph.js'

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

/** The sources with one line added to `file`, as a careless edit would. */
const withLine =
  (file: string, line: string): Read =>
  (path) =>
    readSource(path) + (path === join(root, file) ? `\n${line}\n` : '')

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
    expect(layeringViolations(withLine(file, line))).toContain(violation)
  })

  it.each([
    ['src/testing/fixture.ts', "import { stripe } from '../../providers/stripe.js'"],
    ['src/inbox.ts', "import { splitBody } from './stores/sql/body-parts.js'"],
    ['src/inbox.ts', "import type { KeyStatements } from './stores/sql/keys.js'"],
  ])('layering check passes when %s gains `%s` (no driver, drizzle or Node loaded)', (file, line) => {
    expect(layeringViolations(withLine(file, line))).toEqual([])
  })
})
