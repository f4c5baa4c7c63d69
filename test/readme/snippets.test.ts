// Every TypeScript block in README.md and docs/*.md, typechecked as a reader would paste
// it (with the package's own import paths), each on its own and under its runtime's
// types, so none can rot. Nothing is declared for them: a block imports what it uses.
import { execFile } from 'node:child_process'
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { join, resolve } from 'node:path'
import { promisify } from 'node:util'
import { afterAll, describe, expect, it } from 'vitest'
import { allSnippets, inMarkdownTerms, packagePaths, type Runtime, snippetFileName, tsSnippets } from './snippets.js'

const root = resolve(import.meta.dirname, '../..')
const snippets = allSnippets(root)
// Inside the repository, so the snippets resolve hono, vitest, express… from node_modules.
const dir = mkdtempSync(join(root, '.readme-snippets-'))
afterAll(() => rmSync(dir, { recursive: true, force: true }))

const TYPES: Record<Runtime, string[]> = {
  node: ['node'],
  workers: ['@cloudflare/workers-types'],
  bun: ['bun'],
  // @types/deno declares the Deno namespace only. The globals the package's sources use
  // (Request, Response, AbortSignal, timers) come from @types/node, as for `npm run
  // typecheck`'s Deno pass: Deno provides them, and Node's APIs besides.
  deno: ['deno', 'node'],
}

async function typecheck(runtime: Runtime): Promise<string> {
  const mine = snippets.filter((snippet) => snippet.runtime === runtime)
  // `export {}` keeps each snippet a module of its own, as in a reader's project.
  const files = mine.map((snippet) => {
    writeFileSync(join(dir, snippetFileName(snippet)), `${snippet.code}\nexport {}\n`)
    return snippetFileName(snippet)
  })
  const config = {
    compilerOptions: {
      ...JSON.parse(readFileSync(join(root, 'tsconfig.json'), 'utf8')).compilerOptions,
      rootDir: root,
      noEmit: true,
      types: TYPES[runtime],
      paths: packagePaths(join(root, 'package.json'), root),
    },
    files,
  }
  const project = join(dir, `tsconfig.${runtime}.json`)
  writeFileSync(project, JSON.stringify(config))
  try {
    await promisify(execFile)(join(root, 'node_modules/.bin/tsc'), ['-p', project, '--pretty', 'false'], { cwd: root })
    return ''
  } catch (error) {
    return inMarkdownTerms((error as { stdout: string }).stdout, mine)
  }
}

const RUNTIMES = ['node', 'workers', 'bun', 'deno'] as const
// Started together: each tsc run takes a while, and they are independent.
const checked = new Map(RUNTIMES.map((runtime) => [runtime, typecheck(runtime)]))

describe('TypeScript blocks of README.md and docs/*.md', () => {
  it('the docs have a TypeScript block for each runtime they show (Node, Workers, Bun, Deno)', () => {
    expect(new Set(snippets.map((snippet) => snippet.runtime))).toEqual(new Set(RUNTIMES))
  })

  it.each(RUNTIMES)('tsc typechecks every %s block, each on its own, without errors', { timeout: 240_000 }, async (runtime) => {
    expect(await checked.get(runtime)).toBe('')
  })
})

// Imports and comment lines aside: the files use this repository's paths, the docs the package's.
const withoutImports = (code: string) =>
  code
    .split('\n')
    .filter((line) => !/^(import |\/\/ )/.test(line))
    .join('\n')
    .trim()

function blockStartingWith(file: string, firstLine: string) {
  const snippet = tsSnippets(root, file).find((s) => s.code.startsWith(firstLine))
  expect(snippet, `${file} has a \`\`\`ts block starting "${firstLine}"`).toBeDefined()
  return snippet!.code
}

describe('blocks that are files of this repository', () => {
  it('test/readme-example.test.ts runs the docs/testing.md example line for line, imports aside', () => {
    const runner = readFileSync(join(root, 'test/readme-example.test.ts'), 'utf8')
    expect(withoutImports(runner)).toBe(withoutImports(blockStartingWith('docs/testing.md', '// test/payments.test.ts')))
  })

  it('docs/providers.md shows examples/custom-provider.ts line for line, imports aside', () => {
    const example = readFileSync(join(root, 'examples/custom-provider.ts'), 'utf8')
    expect(withoutImports(example)).toBe(withoutImports(blockStartingWith('docs/providers.md', '// examples/custom-provider.ts')))
  })
})

describe('inMarkdownTerms()', () => {
  it("rewrites a tsc error in a block's file to the Markdown file and line the reader sees", () => {
    const snippet = { file: 'docs/stores.md', line: 40, code: '', runtime: 'node' as const }
    const output = `.readme-snippets-x/${snippetFileName(snippet)}(3,7): error TS2304: Cannot find name 'providers'.\nsrc/inbox.ts(1,1): error TS1: other`
    expect(inMarkdownTerms(output, [snippet])).toBe("docs/stores.md:43:7 (the block at line 40): error TS2304: Cannot find name 'providers'.\nsrc/inbox.ts(1,1): error TS1: other")
  })
})
