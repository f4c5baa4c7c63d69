// docs/api.md is the reference of every export: a new export without a line there fails.
import { readFileSync } from 'node:fs'
import { join, resolve } from 'node:path'
import ts from 'typescript'
import { describe, expect, it } from 'vitest'

const root = resolve(import.meta.dirname, '../..')
const reference = readFileSync(join(root, 'docs/api.md'), 'utf8')
const { exports } = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { exports: Record<string, { types: string }> }

/** package.json `exports` subpath → its source entry (`./dist/src/node/index.d.ts` → `src/node/index.ts`). */
const entries = Object.entries(exports).map(([subpath, { types }]) => ({
  subpath: `webhook-inbox${subpath.slice(1)}`,
  file: join(root, types.replace(/^\.\/dist\//, '').replace(/\.d\.ts$/, '.ts')),
}))

/** The names each subpath exports, values and types alike, as the compiler sees them. */
function exportedNames(): Map<string, string[]> {
  const program = ts.createProgram(
    entries.map((entry) => entry.file),
    { module: ts.ModuleKind.NodeNext, moduleResolution: ts.ModuleResolutionKind.NodeNext, target: ts.ScriptTarget.ES2022, skipLibCheck: true, noEmit: true, types: [] },
  )
  const checker = program.getTypeChecker()
  return new Map(
    entries.map(({ subpath, file }) => {
      const module = checker.getSymbolAtLocation(program.getSourceFile(file)!)!
      return [subpath, checker.getExportsOfModule(module).map((symbol) => symbol.name)]
    }),
  )
}

describe('docs/api.md', () => {
  it('has a heading for every subpath of package.json exports', () => {
    const missing = entries.filter(({ subpath }) => !reference.includes(`## \`${subpath}\`\n`)).map(({ subpath }) => subpath)
    expect(missing).toEqual([])
  })

  it('names every export of every subpath inside code (`name`, `f(options: Name)`)', { timeout: 60_000 }, () => {
    const code = reference.match(/`[^`]+`/g) ?? [] // a code span may wrap onto the next line
    const named = (name: string) => code.some((span) => new RegExp(`\\b${name}\\b`).test(span))
    const missing = [...exportedNames()].flatMap(([subpath, names]) => names.filter((name) => !named(name)).map((name) => `${subpath}: ${name}`))
    expect(missing).toEqual([])
  })
})
