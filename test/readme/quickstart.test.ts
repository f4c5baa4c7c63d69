// The README's Quickstart as a reader follows it: its server.ts written out as is and
// started with tsx, then its `npx webhook-inbox send` line (this repository's CLI
// source standing in for the installed bin), then SIGTERM.
import { type ChildProcess, execFile, spawn } from 'node:child_process'
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { join, resolve } from 'node:path'
import { promisify } from 'node:util'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { freePort } from '../free-port.js'
import { waitFor } from '../helpers.js'
import { packagePaths } from './snippets.js'

const root = resolve(import.meta.dirname, '../..')

/** The blocks of the README's "## Quickstart" section, in order, with their language. */
function quickstartBlocks(): { lang: string; code: string }[] {
  const readme = readFileSync(join(root, 'README.md'), 'utf8')
  const start = readme.indexOf('\n## Quickstart\n')
  const end = readme.indexOf('\n## ', start + 1)
  const section = readme.slice(start, end === -1 ? undefined : end)
  return [...section.matchAll(/^```(\w*)\n([\s\S]*?)^```$/gm)].map((match) => ({ lang: match[1]!, code: match[2]! }))
}

/** `A=1 B=2 npx webhook-inbox send … # comment` → its variables and what follows `program`. */
function parseCommand(line: string, program: string[]): { env: Record<string, string>; args: string[] } {
  const words = line.replace(/\s+#.*$/, '').trim().split(/\s+/)
  const env: Record<string, string> = {}
  while (words[0]?.includes('=')) {
    const [name, value] = words.shift()!.split('=') as [string, string]
    env[name] = value
  }
  expect(words.slice(0, program.length)).toEqual(program)
  return { env, args: words.slice(program.length) }
}

describe("README.md's Quickstart", () => {
  const blocks = quickstartBlocks()
  const server = blocks.find((block) => block.lang === 'ts')
  const shell = blocks
    .filter((block) => block.lang === 'sh')
    .map((block) => block.code)
    .join('')
  let dir: string
  let child: ChildProcess
  let output = ''
  let port: number

  beforeAll(async () => {
    // Inside the repository, so tsx, better-sqlite3 and the rest resolve from node_modules;
    // the tsconfig maps 'webhook-inbox/…' to the sources, as if the package were installed.
    dir = mkdtempSync(join(root, '.quickstart-'))
    writeFileSync(join(dir, 'server.ts'), server?.code ?? '')
    writeFileSync(join(dir, 'tsconfig.json'), JSON.stringify({ compilerOptions: { paths: packagePaths(join(root, 'package.json'), root) } }))
    const start = parseCommand(shell.split('\n').find((line) => line.includes('npx tsx server.ts')) ?? '', ['npx', 'tsx', 'server.ts'])
    port = await freePort()
    child = spawn(process.execPath, ['--import', 'tsx', 'server.ts'], { cwd: dir, env: { ...process.env, ...start.env, PORT: String(port) }, stdio: ['ignore', 'pipe', 'pipe'] })
    child.stdout!.on('data', (chunk: Buffer) => void (output += chunk.toString()))
    child.stderr!.on('data', (chunk: Buffer) => void (output += chunk.toString()))
    await waitFor(() => output.includes(`listening on http://127.0.0.1:${port}/webhooks/stripe`) || child.exitCode !== null, 20_000, 'server.ts to listen')
  }, 30_000)

  afterAll(() => {
    if (child?.exitCode === null) child.kill('SIGKILL')
    rmSync(dir, { recursive: true, force: true })
  })

  it('has a first ```ts block that is server.ts, importing the four subpaths', () => {
    expect(server?.code.split('\n')[0]).toBe('// server.ts')
    for (const [name, from] of [
      ['createInbox', 'webhook-inbox'],
      ['serve', 'webhook-inbox/node'],
      ['stripe', 'webhook-inbox/providers'],
      ['sqliteStore', 'webhook-inbox/stores/sqlite'],
    ]) {
      expect(server?.code).toContain(`import { ${name} } from '${from}'`)
    }
  })

  it('server.ts listens on 127.0.0.1 at $PORT', () => {
    expect(output).toContain(`listening on http://127.0.0.1:${port}/webhooks/stripe`)
  })

  it('its `npx webhook-inbox send` lines get the answers their comments state, and server.ts logs the payment once', { timeout: 60_000 }, async () => {
    const sends = shell.split('\n').filter((line) => line.includes('npx webhook-inbox send'))
    expect(sends.length).toBeGreaterThan(0)
    for (const line of sends) {
      const { env, args } = parseCommand(line, ['npx', 'webhook-inbox'])
      const stated = /#\s*(\d{3} \w+)/.exec(line)?.[1]
      const sent = await promisify(execFile)(process.execPath, ['--import', 'tsx', 'src/cli/index.ts', ...args], { cwd: root, env: { ...process.env, ...env, PORT: String(port) } })
      expect(`${line}\n→ ${sent.stdout.split('\n')[0]}`).toBe(`${line}\n→ ${stated} stripe payment_intent.succeeded`)
    }
    await waitFor(() => /: payment pi_\w+ of \d+ \w+ succeeded/.test(output), 10_000, "server.ts's line for the payment")
    expect(output.match(/: payment pi_\w+ of \d+ \w+ succeeded/g)).toHaveLength(1)
  })

  it('server.ts exits 0 on SIGTERM', { timeout: 20_000 }, async () => {
    const exited = new Promise<number | null>((resolveExit) => child.once('exit', resolveExit))
    child.kill('SIGTERM')
    expect(await exited).toBe(0)
  })
})
