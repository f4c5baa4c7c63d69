import { type ChildProcess, spawn } from 'node:child_process'
import { existsSync, readFileSync } from 'node:fs'
import { github } from '../../providers/github.js'

export const LEDGER_SECRET = 'ledger-secret'
const signer = github({ secret: LEDGER_SECRET })

export interface Server {
  child: ChildProcess
  port: number
  exited: Promise<number | null>
  /** Everything the server wrote to stdout and stderr so far. */
  output(): string
}

/** Starts a fixture server (the webhook ledger server by default) and resolves once it listens on 127.0.0.1. */
export async function startServer(env: Record<string, string>, script = 'test/e2e/fixtures/ledger-server.ts'): Promise<Server> {
  const child = spawn(process.execPath, ['--import', 'tsx', script], {
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  })
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)))
  let output = ''
  const port = await new Promise<number>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`server did not start:\n${output}`)), 20_000)
    const read = (chunk: Buffer) => {
      output += chunk.toString()
      // Fixture servers print "listening <port>", the examples "listening on http://127.0.0.1:<port>/…".
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
