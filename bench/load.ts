import autocannon from 'autocannon'
import { type ChildProcess, spawn } from 'node:child_process'
import { createHmac } from 'node:crypto'
import { readFileSync } from 'node:fs'
import { SECRET } from './servers/listen.js'

export interface Scenario {
  key: string
  label: string
  server: string
  provider: 'github' | 'stripe'
  /** Every request a new event id (first deliveries), or one id over and over (duplicates). */
  ids: 'unique' | 'same'
  env?: Record<string, string>
  /** Postgres scenarios: skipped without a server, each run in a schema of its own. */
  postgres?: boolean
  /** Server processes sharing the database, the connections split between them (default 1). */
  processes?: number
}

export interface Measurement {
  rps: number
  p50: number
  p99: number
  /** Peak resident set size of the server process, MiB (VmHWM). */
  rssMiB: number
  non2xx: number
  requests: number
  /** CPU time of the server process(es) per request, µs. */
  cpuUsPerReq: number
}

// A GitHub-style body of about 2 KB: an issues.opened payload padded with a realistic body
// text. Each delivery id has its own body and signature, as on GitHub: the inbox also
// dedupes on the signed bytes, so one body under many ids would be duplicates.
function issueBody(deliveryId: string) {
  return JSON.stringify({
    action: 'opened',
    issue: { number: 1347, node_id: deliveryId, title: 'Found a bug', state: 'open', body: 'x'.repeat(1600), user: { login: 'octocat', id: 1 } },
    repository: { id: 1296269, full_name: 'octocat/Hello-World', private: false },
    sender: { login: 'octocat', id: 1 },
  })
}

function stripeBody(id: string) {
  return JSON.stringify({
    id,
    object: 'event',
    type: 'payment_intent.succeeded',
    data: { object: { id: 'pi_1', object: 'payment_intent', amount: 2000, currency: 'usd', description: 'x'.repeat(1750) } },
  })
}

function stripeHeader(body: string) {
  const t = Math.floor(Date.now() / 1000)
  return `t=${t},v1=${createHmac('sha256', SECRET).update(`${t}.${body}`).digest('hex')}`
}

const TICK_US = 10_000 // USER_HZ is 100 on Linux

/** CPU time (user + system) of processes so far, µs, from /proc (Linux); a process gone since counts 0. */
export function cpuUs(pids: number[]): number {
  let ticks = 0
  for (const pid of pids) {
    try {
      // Fields after the ")" that ends the command name: utime and stime are the 12th and 13th.
      const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ')
      ticks += Number(fields[11]) + Number(fields[12])
    } catch {}
  }
  return ticks * TICK_US
}

/** Peak RSS of a process, from /proc (Linux). */
function peakRssMiB(pid: number): number {
  const match = /VmHWM:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))
  return match ? Number(match[1]) / 1024 : Number.NaN
}

export async function startServer(scenario: Scenario, dbPath: string, env: Record<string, string> = {}): Promise<{ child: ChildProcess; port: number }> {
  const child = spawn(process.execPath, ['--import', 'tsx', `bench/servers/${scenario.server}.ts`], {
    env: { ...process.env, WEBHOOK_INBOX_DB: dbPath, ...scenario.env, ...env },
    stdio: ['ignore', 'pipe', 'inherit'],
  })
  const port = await new Promise<number>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`${scenario.server} did not start`)), 20_000)
    child.stdout!.on('data', (chunk: Buffer) => {
      const match = /port (\d+)/.exec(chunk.toString())
      if (match) {
        clearTimeout(timer)
        resolve(Number(match[1]))
      }
    })
  })
  return { child, port }
}

export async function stopServer(child: ChildProcess) {
  const exited = new Promise((resolve) => child.once('exit', resolve))
  child.kill('SIGKILL')
  await exited
}

/**
 * Drives one server with a fixed number of connections for a fixed time (or a fixed
 * number of requests), each request a signed delivery with its own event id.
 */
export async function load(
  scenario: Scenario,
  port: number,
  { seconds, amount, connections, tag }: { seconds?: number; amount?: number; connections: number; tag: string },
  pid: number,
): Promise<Measurement> {
  const cpuBefore = cpuUs([pid])
  let counter = 0
  const nextId = () => (scenario.ids === 'same' ? `${tag}-same` : `${tag}-${counter++}`)
  const path = `/${scenario.server === 'inbox' ? 'webhooks/' : ''}${scenario.provider}`
  const request =
    scenario.provider === 'github'
      ? {
          method: 'POST' as const,
          path,
          setupRequest: (req: autocannon.Request) => {
            const id = nextId()
            const body = issueBody(id)
            const signature = `sha256=${createHmac('sha256', SECRET).update(body).digest('hex')}`
            const headers = { 'content-type': 'application/json', 'x-github-event': 'issues', 'x-hub-signature-256': signature, 'x-github-delivery': id }
            // The orders server ignores the signature; its key is the delivery id, fresh per request.
            return { ...req, headers: scenario.server === 'orders' ? { ...headers, 'idempotency-key': id } : headers, body }
          },
        }
      : {
          method: 'POST' as const,
          path,
          setupRequest: (req: autocannon.Request) => {
            const body = stripeBody(nextId())
            return { ...req, headers: { 'content-type': 'application/json', 'stripe-signature': stripeHeader(body) }, body }
          },
        }
  const result = await autocannon({
    url: `http://127.0.0.1:${port}`,
    connections,
    ...(amount === undefined ? { duration: seconds ?? 5 } : { amount }),
    requests: [request],
  })
  return {
    rps: result.requests.average,
    p50: result.latency.p50,
    p99: result.latency.p99,
    rssMiB: peakRssMiB(pid),
    non2xx: result.non2xx + result.errors,
    requests: result.requests.total,
    cpuUsPerReq: (cpuUs([pid]) - cpuBefore) / Math.max(1, result.requests.total),
  }
}
