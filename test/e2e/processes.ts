import { type ChildProcess, execFile, spawn } from 'node:child_process'
import { existsSync, readFileSync } from 'node:fs'
import { promisify } from 'node:util'
import { github } from '../../providers/github.js'
import { PROVIDER_NAMES } from '../../examples/provider-secrets.js'
import { DEVELOPMENT_SECRETS } from '../../src/testing/development-secrets.js'
import { waitFor } from '../helpers.js'

export const LEDGER_SECRET = 'ledger-secret'
const signer = github({ secret: LEDGER_SECRET })

export interface Server {
  child: ChildProcess
  port: number
  exited: Promise<number | null>
  /** Everything the server wrote to stdout and stderr so far. */
  output(): string
}

/** How a script runs: Node with tsx unless told otherwise (`[bun]`, `[deno, 'run', …flags]`). */
const NODE = [process.execPath, '--import', 'tsx']

/** Starts a fixture server (the webhook ledger server by default) and resolves once it listens on 127.0.0.1. */
export async function startServer(env: Record<string, string>, script = 'test/e2e/fixtures/ledger-server.ts', runtime = NODE): Promise<Server> {
  const [command, ...flags] = runtime
  const child = spawn(command!, [...flags, script], {
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  })
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)))
  let output = ''
  const port = await new Promise<number>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`server did not start:\n${output}`)), 20_000)
    const read = (chunk: Buffer) => {
      output += chunk.toString()
      // Fixture servers print "listening <port>", the examples "… listening on http://127.0.0.1:<port>/…".
      const match = /listening (?:on http:\/\/127\.0\.0\.1:)?(\d+)/.exec(output)
      if (match) {
        clearTimeout(timer)
        resolve(Number(match[1]))
      }
    }
    child.stdout!.on('data', read)
    child.stderr!.on('data', read)
    void exited.then((code) => reject(new Error(`server exited with ${code}:\n${output}`)))
  })
  return { child, port, exited, output: () => output }
}

export async function deliver(port: number, id: string): Promise<Response> {
  // Every delivery id has its own body, as on GitHub: one signed body is one event.
  const body = JSON.stringify({ action: 'opened', issue: { number: 1, node_id: id } })
  const headers = await signer.sign({ body, id, type: 'issues' })
  return fetch(`http://127.0.0.1:${port}/webhooks/github`, { method: 'POST', headers, body })
}

/** Ledger lines of one kind, for one id (an event id, an idempotency key) or all. */
export function ledgerLines(path: string, kind: 'start' | 'done' | 'first' | 'span', id?: string): string[] {
  if (!existsSync(path)) return []
  return readFileSync(path, 'utf8')
    .split('\n')
    .filter((line) => line.startsWith(`${kind} `) && (id === undefined || line.split(' ')[1] === id))
}

export interface Sent {
  provider: string
  /** send's exit code. */
  code: number
  stdout: string
  stderr: string
  /** The event id send printed, to find the handler's line by. */
  id: string | undefined
}

/**
 * Runs `npm run send -- <provider>` (examples/send-test-event.ts) to its end against
 * 127.0.0.1:`port`, signing with the development secrets whatever this environment sets.
 */
export async function sendTestEvent(provider: string, port: number): Promise<Sent> {
  const env: NodeJS.ProcessEnv = { ...process.env, PORT: String(port) }
  for (const { variable } of Object.values(DEVELOPMENT_SECRETS)) delete env[variable]
  const args = ['--import', 'tsx', 'examples/send-test-event.ts', provider]
  const ran = await promisify(execFile)(process.execPath, args, { env, timeout: 30_000 }).then(
    ({ stdout, stderr }) => ({ code: 0, stdout, stderr }),
    (error: { code: number; stdout: string; stderr: string }) => ({ code: error.code, stdout: error.stdout, stderr: error.stderr }),
  )
  return { provider, ...ran, id: /\(event (\S+)\)/.exec(ran.stdout)?.[1] }
}

/**
 * `npm run send` for every built-in provider, at once (each is a process of its own), against
 * the example on `port`: what each printed, and whether each handler's line
 * (`<provider> <id>: …`, examples/handlers.ts) reached the example's output in time.
 */
export async function sendEveryProvider(port: number, output: () => string) {
  const sent = await Promise.all(PROVIDER_NAMES.map((provider) => sendTestEvent(provider, port)))
  const lineOf = ({ provider, id }: Sent) => `${provider} ${id}: `
  await waitFor(() => sent.every((s) => output().includes(lineOf(s))), 15_000, "every handler's line").catch(() => {})
  return sent.map((s) => ({ ...s, handled: s.id !== undefined && output().includes(lineOf(s)) }))
}
