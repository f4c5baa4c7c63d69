import { existsSync, readdirSync, readFileSync } from 'node:fs'
import { dirname, join, relative, resolve } from 'node:path'
import ts from 'typescript'

export interface Import {
  /** As written: `drizzle-orm`, `node:fs`, `./stores/sqlite/index.js`. */
  specifier: string
  /** The repository file a relative specifier names (`.js` read as its `.ts` source). */
  file?: string
  /** False for `import type` and imports of types only: erased, so nothing loads at run time. */
  runtime: boolean
  /** An `import()` call: it loads when it runs, not while the importing module is linked. */
  dynamic: boolean
}

/** Source text of a file; a test may hand in an edited copy. */
export type Read = (path: string) => string

export const readSource: Read = (path) => readFileSync(path, 'utf8')

/** Every `.ts` file under a folder, recursively, as absolute paths. */
export function tsFiles(folder: string): string[] {
  return readdirSync(folder, { recursive: true, encoding: 'utf8' })
    .filter((name) => name.endsWith('.ts'))
    .map((name) => join(folder, name))
}

function typesOnly(clause: ts.ImportClause | undefined): boolean {
  if (clause === undefined) return false
  if (clause.isTypeOnly) return true
  const bindings = clause.namedBindings
  return clause.name === undefined && bindings !== undefined && ts.isNamedImports(bindings) && bindings.elements.length > 0 && bindings.elements.every((element) => element.isTypeOnly)
}

/** The imports and re-exports of one file, dynamic `import()` included. */
export function importsOf(path: string, read: Read): Import[] {
  const source = ts.createSourceFile(path, read(path), ts.ScriptTarget.Latest, true)
  const found: Import[] = []
  const add = (literal: ts.Expression, runtime: boolean, dynamic = false) => {
    if (!ts.isStringLiteral(literal)) return
    const specifier = literal.text
    const file = specifier.startsWith('.') ? resolveRelative(path, specifier) : undefined
    found.push(file === undefined ? { specifier, runtime, dynamic } : { specifier, file, runtime, dynamic })
  }
  const visit = (node: ts.Node) => {
    if (ts.isImportDeclaration(node)) add(node.moduleSpecifier, !typesOnly(node.importClause))
    else if (ts.isExportDeclaration(node) && node.moduleSpecifier) add(node.moduleSpecifier, !node.isTypeOnly)
    else if (ts.isCallExpression(node) && node.expression.kind === ts.SyntaxKind.ImportKeyword && node.arguments[0]) add(node.arguments[0], true, true)
    ts.forEachChild(node, visit)
  }
  visit(source)
  return found
}

function resolveRelative(from: string, specifier: string): string {
  const target = resolve(dirname(from), specifier)
  const source = target.replace(/\.js$/, '.ts')
  return existsSync(source) ? source : target
}

/** The sources with one line added to `file` (absolute), as a careless edit would. */
export const withLine =
  (file: string, line: string): Read =>
  (path) =>
    readSource(path) + (path === file ? `\n${line}\n` : '')

/** `drizzle-orm/sqlite-core` → `drizzle-orm`, `@hono/node-server` → itself, `node:fs` → itself. */
export function packageOf(specifier: string): string {
  const parts = specifier.split('/')
  return specifier.startsWith('@') ? parts.slice(0, 2).join('/') : parts[0]!
}

/**
 * The run-time chain from `start` to the first import `bad` accepts, through the
 * repository's files: `['src/a.ts', 'src/stores/sql/keys.ts', 'drizzle-orm']`, or
 * undefined when none loads. `linked` follows static imports only: what Node resolves
 * before any of the modules runs.
 */
export function runtimePath(root: string, start: string, bad: (imported: Import) => boolean, read: Read, linked = false): string[] | undefined {
  const via = new Map<string, string[]>([[start, [relative(root, start)]]])
  const queue = [start]
  for (let file = queue.shift(); file !== undefined; file = queue.shift()) {
    const chain = via.get(file)!
    for (const imported of importsOf(file, read).filter((i) => i.runtime && !(linked && i.dynamic))) {
      if (bad(imported)) return [...chain, imported.specifier]
      if (imported.file?.endsWith('.ts') && !via.has(imported.file)) {
        via.set(imported.file, [...chain, relative(root, imported.file)])
        queue.push(imported.file)
      }
    }
  }
  return undefined
}
