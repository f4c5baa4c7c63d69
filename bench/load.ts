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
  /** Of which their main threads' (the event loop's), µs; the rest is V8's GC helper threads and the SQLite checkpointer. */
  mainThreadCpuUsPerReq: number
  /** CPU time of the load generator (this process) per request, µs, and in cores while it ran. */
  generatorCpuUsPerReq: number
  generatorCores: number
  /** More first deliveries were sent than the pool holds, so some ids repeated (were duplicates). */
  wrapped: boolean
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

/** One signed delivery with its own id, as the fields autocannon builds a request from. */
function signedRequest(scenario: Scenario, id: string): { headers: Record<string, string>; body: Buffer } {
  if (scenario.provider === 'stripe') {
    const body = stripeBody(id)
    return { headers: { host: '127.0.0.1', 'content-type': 'application/json', 'stripe-signature': stripeHeader(body) }, body: Buffer.from(body) }
  }
  const body = Buffer.from(issueBody(id))
  const headers: Record<string, string> = {
    // Built before the port is known; the servers route on the path alone.
    host: '127.0.0.1',
    'content-type': 'application/json',
    'x-github-event': 'issues',
    'x-hub-signature-256': `sha256=${createHmac('sha256', SECRET).update(body).digest('hex')}`,
    'x-github-delivery': id,
  }
  // The orders server ignores the signature; its key is the delivery id, fresh per request.
  if (scenario.server === 'orders') headers['idempotency-key'] = id
  return { headers, body }
}

/**
 * Signed first deliveries built before a run, so the load generator only writes bytes:
 * signing and serialising 2 KB per request in autocannon's setupRequest cost more CPU
 * than the verify-only server it was measuring (on a 2-core machine the two compete).
 * Each pool is shared by every run of its provider and server kind: ids need to be
 * unique within one database, and every run starts a database of its own. The cursor
 * goes on across runs, so two processes sharing one database (scenario j) never get
 * the same id; `wrapped` says a run sent more requests than the pool holds.
 */
interface Pool {
  requests: { method: 'POST'; path: string; headers: Record<string, string>; body: Buffer }[]
  cursor: number
  builtAt: number
}
const pools = new Map<string, Pool>()
const POOL_SIZE = Number(process.env.BENCH_POOL ?? 131_072)
// Stripe refuses a signature over 5 minutes old; a whole bench run takes longer than that.
const POOL_MAX_AGE_MS = 2 * 60_000

function pool(scenario: Scenario, path: string, size: number): Pool {
  const name = `${scenario.provider}:${scenario.server}`
  const existing = pools.get(name)
  if (existing && existing.requests.length >= size && Date.now() - existing.builtAt < POOL_MAX_AGE_MS) return existing
  const requests: Pool['requests'] = []
  for (let i = 0; i < size; i++) requests.push({ method: 'POST', path, ...signedRequest(scenario, `${name}-${i}`) })
  const built = { requests, cursor: 0, builtAt: Date.now() }
  pools.set(name, built)
  return built
}

const TICK_US = 10_000 // USER_HZ is 100 on Linux

/**
 * CPU time (user + system) of processes so far, µs, from /proc (Linux); a process gone since counts 0.
 * `mainThread`: the thread the process started with only (the event loop), not V8's GC helpers or a checkpointer.
 */
export function cpuUs(pids: number[], { mainThread = false } = {}): number {
  let ticks = 0
  for (const pid of pids) {
    try {
      // Fields after the ")" that ends the command name: utime and stime are the 12th and 13th.
      const fields = readFileSync(mainThread ? `/proc/${pid}/task/${pid}/stat` : `/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ')
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

export async function startServer(
  scenario: Scenario,
  dbPath: string,
  env: Record<string, string> = {},
  nodeArgs: string[] = [],
): Promise<{ child: ChildProcess; port: number }> {
  const child = spawn(process.execPath, [...nodeArgs, '--import', 'tsx', `bench/servers/${scenario.server}.ts`], {
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
  const path = `/${scenario.server === 'inbox' ? 'webhooks/' : ''}${scenario.provider}`
  // Duplicates: one request, which autocannon builds once. First deliveries: the pool,
  // where setupRequest only hands over a prebuilt request (autocannon still frames it).
  let request: autocannon.Request
  let requests: Pool | undefined
  let next = 0
  if (scenario.ids === 'same') {
    request = { method: 'POST', path, ...signedRequest(scenario, `${tag}-same`) }
  } else {
    const built = (requests = pool(scenario, path, Math.max(POOL_SIZE, (amount ?? 0) + 1)))
    next = built.cursor
    request = { method: 'POST', path, setupRequest: () => built.requests[next++ % built.requests.length]! }
  }
  const first = next
  const cpuBefore = cpuUs([pid])
  const mainBefore = cpuUs([pid], { mainThread: true })
  const generatorBefore = process.cpuUsage()
  const result = await autocannon({
    url: `http://127.0.0.1:${port}`,
    connections,
    ...(amount === undefined ? { duration: seconds ?? 5 } : { amount }),
    requests: [request],
  })
  const generator = process.cpuUsage(generatorBefore)
  if (requests) requests.cursor = next
  return {
    rps: result.requests.average,
    p50: result.latency.p50,
    p99: result.latency.p99,
    rssMiB: peakRssMiB(pid),
    non2xx: result.non2xx + result.errors,
    requests: result.requests.total,
    cpuUsPerReq: (cpuUs([pid]) - cpuBefore) / Math.max(1, result.requests.total),
    mainThreadCpuUsPerReq: (cpuUs([pid], { mainThread: true }) - mainBefore) / Math.max(1, result.requests.total),
    generatorCpuUsPerReq: (generator.user + generator.system) / Math.max(1, result.requests.total),
    generatorCores: (generator.user + generator.system) / 1e6 / (result.duration || 1),
    wrapped: requests !== undefined && next - first > requests.requests.length,
  }
}
