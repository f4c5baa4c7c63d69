import { readdirSync, readFileSync } from 'node:fs'
import { join } from 'node:path'

export type Runtime = 'node' | 'workers' | 'bun' | 'deno'

export interface Snippet {
  /** The Markdown file, relative to the repository root (`docs/guarantees.md`). */
  file: string
  /** 1-based line of the opening fence, for error messages: the code's line n is at `line + n`. */
  line: number
  code: string
  runtime: Runtime
}

/** README.md, then every page of docs/, relative to the repository root. */
export function docFiles(root: string): string[] {
  const pages = readdirSync(join(root, 'docs'))
    .filter((name) => name.endsWith('.md'))
    .sort()
    .map((name) => `docs/${name}`)
  return ['README.md', ...pages]
}

/** The runtime whose types a snippet needs, from what it uses. */
function runtimeOf(code: string): Runtime {
  if (code.includes("'cloudflare:workers'")) return 'workers'
  if (/\bBun\./.test(code)) return 'bun'
  if (/\bDeno\./.test(code)) return 'deno'
  return 'node'
}

/** Every ```ts block of a Markdown file (`file` relative to `root`). */
export function tsSnippets(root: string, file: string): Snippet[] {
  const lines = readFileSync(join(root, file), 'utf8').split('\n')
  const snippets: Snippet[] = []
  let open: { line: number; body: string[] } | undefined
  lines.forEach((text, index) => {
    if (open === undefined) {
      if (text.trim() === '```ts') open = { line: index + 1, body: [] }
    } else if (text.trim() === '```') {
      const code = open.body.join('\n')
      snippets.push({ file, line: open.line, code, runtime: runtimeOf(code) })
      open = undefined
    } else {
      open.body.push(text)
    }
  })
  return snippets
}

/** Every ```ts block of README.md and docs/*.md. */
export function allSnippets(root: string): Snippet[] {
  return docFiles(root).flatMap((file) => tsSnippets(root, file))
}

/** The snippet's file name in the typecheck's folder, unique per block. */
export function snippetFileName(snippet: Snippet): string {
  return `${snippet.file.replace(/[^A-Za-z0-9]+/g, '-')}-line-${snippet.line}.ts`
}

/**
 * tsc's `file.ts(line,col): error …` lines, with each snippet's file and position
 * rewritten to the Markdown file and line the reader sees (`docs/stores.md:42:7`).
 */
export function inMarkdownTerms(output: string, snippets: Snippet[]): string {
  const byName = new Map(snippets.map((snippet) => [snippetFileName(snippet), snippet]))
  return output
    .split('\n')
    .map((line) => {
      const match = /^(?:.*[\\/])?([^\\/()]+\.ts)\((\d+),(\d+)\): (.*)$/.exec(line)
      const snippet = match && byName.get(match[1]!)
      if (!match || !snippet) return line
      return `${snippet.file}:${snippet.line + Number(match[2])}:${match[3]} (the block at line ${snippet.line}): ${match[4]}`
    })
    .join('\n')
    .trim()
}

/**
 * TypeScript `paths` that resolve the package's own subpaths (`webhook-inbox/node`, …)
 * to their sources, from package.json `exports`, so snippets typecheck without a build.
 */
export function packagePaths(packageJsonPath: string, root: string): Record<string, string[]> {
  const { name, exports } = JSON.parse(readFileSync(packageJsonPath, 'utf8')) as { name: string; exports: Record<string, { types: string }> }
  return Object.fromEntries(
    Object.entries(exports).map(([subpath, { types }]) => [
      name + subpath.slice(1),
      [`${root}/${types.replace(/^\.\/dist\//, '').replace(/\.d\.ts$/, '.ts')}`],
    ]),
  )
}
