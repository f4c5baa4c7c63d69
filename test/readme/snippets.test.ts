// Every TypeScript snippet in README.md, typechecked as a reader would paste it (with the
// package's own import paths), each under its runtime's types, so none can rot.
import { execFile } from 'node:child_process'
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { join, resolve } from 'node:path'
import { promisify } from 'node:util'
import { afterAll, describe, expect, it } from 'vitest'
import { PRELUDE } from './prelude.js'
import { packagePaths, type Runtime, tsSnippets } from './snippets.js'

const root = resolve(import.meta.dirname, '../..')
const snippets = tsSnippets(join(root, 'README.md'))
// Inside the repository, so the snippets resolve hono, vitest, express… from node_modules.
const dir = mkdtempSync(join(root, '.readme-snippets-'))
afterAll(() => rmSync(dir, { recursive: true, force: true }))

const TYPES: Record<Runtime, string[]> = {
  node: ['node'],
  workers: ['@cloudflare/workers-types'],
  bun: ['bun'],
  deno: ['deno'],
}

async function typecheck(runtime: Runtime): Promise<string> {
  const files = snippets
    .filter((snippet) => snippet.runtime === runtime)
    // `export {}` keeps each snippet a module of its own, as in a reader's project.
    .map((snippet) => {
      const file = `readme-line-${snippet.line}.ts`
      writeFileSync(join(dir, file), `${snippet.code}\nexport {}\n`)
      return file
    })
  writeFileSync(join(dir, 'prelude.ts'), PRELUDE)
  const extra = runtime === 'workers' ? [join(root, 'examples/worker-env.d.ts')] : []
  const config = {
    compilerOptions: {
      ...JSON.parse(readFileSync(join(root, 'tsconfig.json'), 'utf8')).compilerOptions,
      rootDir: root,
      noEmit: true,
      types: TYPES[runtime],
      paths: packagePaths(join(root, 'package.json'), root),
    },
    files: ['prelude.ts', ...files, ...extra],
  }
  const project = join(dir, `tsconfig.${runtime}.json`)
  writeFileSync(project, JSON.stringify(config))
  try {
    await promisify(execFile)(join(root, 'node_modules/.bin/tsc'), ['-p', project], { cwd: root })
    return ''
  } catch (error) {
    return (error as { stdout: string }).stdout
  }
}

const RUNTIMES = ['node', 'workers', 'bun', 'deno'] as const
// Started together: each tsc run takes a while, and they are independent.
const checked = new Map(RUNTIMES.map((runtime) => [runtime, typecheck(runtime)]))

describe('README.md TypeScript snippets', () => {
  it('README.md has a TypeScript snippet for each runtime it shows (Node, Workers, Bun, Deno)', () => {
    expect(new Set(snippets.map((snippet) => snippet.runtime))).toEqual(new Set(RUNTIMES))
  })

  it.each(RUNTIMES)('tsc typechecks every README.md snippet for %s without errors', { timeout: 180_000 }, async (runtime) => {
    expect(await checked.get(runtime)).toBe('')
  })
})

describe('README.md "Testing your handlers"', () => {
  // Only the import paths differ: that file runs the snippet, this keeps the two the same.
  const withoutImports = (code: string) => code.split('\n').filter((line) => !/^(import |\/\/ )/.test(line)).join('\n').trim()

  it('test/readme-example.test.ts runs the README.md testing snippet line for line, imports aside', () => {
    const snippet = snippets.find((s) => s.code.startsWith('// test/payments.test.ts'))
    const runner = readFileSync(join(root, 'test/readme-example.test.ts'), 'utf8')
    expect(snippet).toBeDefined()
    expect(withoutImports(runner)).toBe(withoutImports(snippet!.code))
  })
})
