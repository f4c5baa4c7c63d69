import { readFileSync } from 'node:fs'

export type Runtime = 'node' | 'workers' | 'bun' | 'deno'

export interface Snippet {
  /** 1-based line of the opening fence in README.md, for error messages. */
  line: number
  code: string
  runtime: Runtime
}

/** The runtime whose types a snippet needs, from what it uses. */
function runtimeOf(code: string): Runtime {
  if (code.includes("'cloudflare:workers'")) return 'workers'
  if (/\bBun\./.test(code)) return 'bun'
  if (/\bDeno\./.test(code)) return 'deno'
  return 'node'
}

/** Every ```ts block of a Markdown file. */
export function tsSnippets(path: string): Snippet[] {
  const lines = readFileSync(path, 'utf8').split('\n')
  const snippets: Snippet[] = []
  let open: { line: number; body: string[] } | undefined
  lines.forEach((text, index) => {
    if (open === undefined) {
      if (text.trim() === '```ts') open = { line: index + 1, body: [] }
    } else if (text.trim() === '```') {
      const code = open.body.join('\n')
      snippets.push({ line: open.line, code, runtime: runtimeOf(code) })
      open = undefined
    } else {
      open.body.push(text)
    }
  })
  return snippets
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
