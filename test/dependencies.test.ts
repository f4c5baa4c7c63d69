import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { describe, expect, it } from 'vitest'
import { importsOf, packageOf, readSource, tsFiles } from './import-graph.js'

const root = fileURLToPath(new URL('..', import.meta.url))

type Versions = Record<string, string>
const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as {
  dependencies: Versions
  devDependencies: Versions
  peerDependencies: Versions
  peerDependenciesMeta: Record<string, { optional?: boolean }>
}

/** Every package the shipped code (src/ and providers/, what `npm run build` compiles) imports, for its code or its types. */
const imported = new Set(
  ['src', 'providers']
    .flatMap((folder) => tsFiles(join(root, folder)))
    .flatMap((file) => importsOf(file, readSource))
    .filter(({ file, specifier }) => file === undefined && !specifier.startsWith('node:'))
    .map(({ specifier }) => packageOf(specifier)),
)

/** The database drivers, and the types of those that ship none (mysql2 does): a project installs the one it uses. */
const DRIVERS = ['better-sqlite3', 'pg', 'mysql2', '@types/better-sqlite3', '@types/pg']

describe("package.json's dependencies, read against what src/ and providers/ import", () => {
  it('every package the shipped code imports is a dependency or a peer dependency', () => {
    expect([...imported].filter((name) => !(name in pkg.dependencies) && !(name in pkg.peerDependencies))).toEqual([])
    // The walk found the imports themselves, so an empty list means something.
    expect([...imported]).toEqual(expect.arrayContaining(['hono', 'drizzle-orm', 'stripe', 'better-sqlite3']))
  })

  it('every dependency is imported by the shipped code: an SDK the tests alone use is a dev dependency', () => {
    expect(Object.keys(pkg.dependencies).filter((name) => !imported.has(name))).toEqual([])
  })

  it.each(DRIVERS)('%s is an optional peer dependency, and a dev dependency of this repository, never a dependency', (name) => {
    const declared = { dependency: name in pkg.dependencies, peer: pkg.peerDependenciesMeta[name]?.optional === true && name in pkg.peerDependencies, dev: name in pkg.devDependencies }
    expect(declared).toEqual({ dependency: false, peer: true, dev: true })
  })
})
