import { execFileSync } from 'node:child_process'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import pg from 'pg'
import { afterEach, describe, expect, it } from 'vitest'
import { github } from '../../providers/github.js'
import { createInbox } from '../../src/inbox.js'
import { postgresStore } from '../../src/stores/postgres/index.js'
import { waitFor } from '../helpers.js'
import { onCleanup } from '../node-helpers.js'
import { dropAfterTest, freshSchema, PG_URL } from '../postgres-helpers.js'
import { deliver, ledgerLines, type Server, startServer } from './processes.js'

/** Sends `jobs` with `lanes` requests in flight; the status of each, in job order. */
async function deliverAll(jobs: { port: number; id: string }[], lanes: number): Promise<number[]> {
  const statuses: number[] = new Array(jobs.length)
  let next = 0
  await Promise.all(
    Array.from({ length: lanes }, async () => {
      while (next < jobs.length) {
        const i = next++
        const response = await deliver(jobs[i]!.port, jobs[i]!.id).catch(() => undefined)
        statuses[i] = response?.status ?? 0
        await response?.arrayBuffer()
      }
    }),
  )
  return statuses
}

const doneCounts = (ledger: string) => {
  const counts = new Map<string, number>()
  for (const line of ledgerLines(ledger, 'done')) counts.set(line.split(' ')[1]!, (counts.get(line.split(' ')[1]!) ?? 0) + 1)
  return counts
}

describe.skipIf(!PG_URL)('real processes sharing one Postgres', () => {
  let dir: string
  const servers: Server[] = []
  const start = async (url: string, schema: string, env: Record<string, string> = {}) => {
    const server = await startServer({ PG_URL: url, PG_SCHEMA: schema, LEDGER: join(dir, 'ledger.txt'), ...env })
    servers.push(server)
    return server
  }
  const row = async (url: string, schema: string, eventId: string) => {
    const client = new pg.Client({ connectionString: url })
    await client.connect()
    try {
      const { rows } = await client.query(`select status, attempts from "${schema}".webhook_events where event_id = $1`, [eventId])
      return rows[0] as { status: string; attempts: number } | undefined
    } finally {
      await client.end()
    }
  }

  afterEach(() => {
    for (const server of servers.splice(0)) if (server.child.exitCode === null) server.child.kill('SIGKILL')
    rmSync(dir, { recursive: true, force: true })
  })

  it('4 processes answer 5,000 concurrent deliveries of 500 ids 2xx, and each id succeeds exactly once', async () => {
    dir = mkdtempSync(join(tmpdir(), 'webhook-inbox-pg-procs-'))
    const schema = freshSchema('procs')
    dropAfterTest(schema)
    const procs = await Promise.all(Array.from({ length: 4 }, () => start(PG_URL, schema, { HANDLER_MS: '2' })))
    // Copy k of every id goes to process k % 4, ids interleaved, so each id reaches every process at once.
    const jobs = Array.from({ length: 5000 }, (_, i) => ({ port: procs[i % 4]!.port, id: `pg-multi-${i % 500}` }))
    const statuses = await deliverAll(jobs, 64)
    expect(statuses.filter((s) => s < 200 || s > 299)).toEqual([])
    const done = doneCounts(join(dir, 'ledger.txt'))
    expect(done.size).toBe(500)
    expect([...done.values()].filter((n) => n !== 1)).toEqual([])
    expect(new Set(ledgerLines(join(dir, 'ledger.txt'), 'done').map((line) => line.split(' ')[3])).size).toBe(4)
  }, 120_000)

  it("a process killed with SIGKILL mid-handler: another process's sweeper finishes the event after its lease, exactly once", async () => {
    dir = mkdtempSync(join(tmpdir(), 'webhook-inbox-pg-crash-'))
    const schema = freshSchema('crash')
    dropAfterTest(schema)
    const env = { LEASE_MS: '1500', WORKER_INTERVAL_MS: '100' }
    const [first, second] = await Promise.all([start(PG_URL, schema, { ...env, HANG_FIRST_ATTEMPT: 'ignore-signal' }), start(PG_URL, schema, env)])
    const pending = deliver(first!.port, 'pg-crash-1').catch(() => undefined)
    const ledger = join(dir, 'ledger.txt')
    await waitFor(() => ledgerLines(ledger, 'start', 'pg-crash-1').length === 1, 10_000, 'the handler to start')
    first!.child.kill('SIGKILL')
    await first!.exited
    await pending
    await waitFor(async () => (await row(PG_URL, schema, 'pg-crash-1'))?.status === 'processed', 15_000, 'the other sweeper to finish it')
    // Processed rows are never run again, so the ledger is final.
    expect(ledgerLines(ledger, 'done', 'pg-crash-1').map((line) => line.split(' ')[3])).toEqual([String(second!.child.pid)])
    expect(await row(PG_URL, schema, 'pg-crash-1')).toEqual({ status: 'processed', attempts: 2 })
  }, 60_000)

  it('Postgres stopped mid-load and started again: 503s during the outage, no crash, then every delivered event processed', async () => {
    dir = mkdtempSync(join(tmpdir(), 'webhook-inbox-pg-outage-'))
    // A cluster of its own: stopping the shared one would fail every other suite.
    // In a folder of its own under tmpdir, which the `postgres` user can reach when tests run as root.
    const cluster = mkdtempSync(join(tmpdir(), 'webhook-inbox-pg-cluster-'))
    const url = execFileSync('bash', ['.ci/postgres.sh', 'start', cluster], { encoding: 'utf8' }).trim()
    onCleanup(() => {
      execFileSync('bash', ['.ci/postgres.sh', 'stop', cluster])
      rmSync(cluster, { recursive: true, force: true })
    })
    const env = { LEASE_MS: '1000', WORKER_INTERVAL_MS: '100', HANDLER_MS: '2' }
    const procs = await Promise.all([start(url, 'public', env), start(url, 'public', env)])
    const ids = Array.from({ length: 600 }, (_, i) => `pg-outage-${i}`)
    const jobs = ids.map((id, i) => ({ port: procs[i % 2]!.port, id }))
    let stopped = false
    const load = deliverAll(jobs, 16)
    await waitFor(() => doneCounts(join(dir, 'ledger.txt')).size >= 100, 30_000, '100 events processed before the outage')
    execFileSync('bash', ['.ci/postgres.sh', 'stop', cluster])
    stopped = true
    const statuses = await load
    execFileSync('bash', ['.ci/postgres.sh', 'start', cluster])
    expect(stopped).toBe(true)
    expect(statuses.filter((s) => s === 503).length).toBeGreaterThan(0)
    expect(statuses.filter((s) => s !== 503 && (s < 200 || s > 299))).toEqual([])
    // As a provider would: every delivery not answered 2xx is sent again until it is.
    const ok = (status: number) => status >= 200 && status < 300
    const unanswered = jobs.filter((_, i) => !ok(statuses[i]!))
    await waitFor(async () => (await deliverAll(unanswered, 16)).every(ok), 30_000, 'redeliveries after the restart to be answered 2xx')
    await waitFor(() => doneCounts(join(dir, 'ledger.txt')).size === ids.length, 30_000, 'every event to be processed')
    for (const proc of procs) expect(proc.child.exitCode).toBeNull()
    const client = new pg.Client({ connectionString: url })
    await client.connect()
    onCleanup(() => client.end())
    await waitFor(
      async () => (await client.query("select count(*)::int as n from webhook_events where status = 'processed'")).rows[0].n === ids.length,
      30_000,
      'every row to be processed',
    )
    // A handler that succeeded just as Postgres went away could not record it (its delivery got
    // a 503) and runs again; any other event ran to success exactly once.
    const done = doneCounts(join(dir, 'ledger.txt'))
    const twice = ids.filter((id) => (done.get(id) ?? 0) !== 1)
    const answered503 = new Set(jobs.filter((_, i) => statuses[i] === 503).map((job) => job.id))
    expect(twice.filter((id) => !answered503.has(id) || done.get(id)! > 2)).toEqual([])
  }, 120_000)
})

describe.skipIf(!PG_URL)('two inboxes sharing one Postgres', () => {
  it("inbox.retryDue() on two inboxes at once over 1,000 due events runs each event exactly once", async () => {
    const schema = freshSchema('sweepers')
    dropAfterTest(schema)
    const runs = new Map<string, number>()
    const inboxes = [0, 1].map(() => {
      const store = postgresStore({ connectionString: PG_URL, schema })
      onCleanup(() => store.close())
      const inbox = createInbox({ store, providers: { github: github({ secret: 's' }) } })
      inbox.onAny((event) => void runs.set(event.id, (runs.get(event.id) ?? 0) + 1))
      return { store, inbox }
    })
    const now = Date.now()
    for (let i = 0; i < 1000; i += 100) {
      await Promise.all(
        Array.from({ length: 100 }, (_, j) =>
          inboxes[0]!.store.claim({ provider: 'github', eventId: `due-${i + j}`, type: 'ping', body: `{"zen":"${i + j}"}`, headers: {} }, { now, leaseMs: 60_000, queue: true }),
        ),
      )
    }
    const summaries = await Promise.all(inboxes.map(({ inbox }) => inbox.retryDue({ limit: 1000, concurrency: 8 })))
    expect(summaries[0]!.processed + summaries[1]!.processed).toBe(1000)
    expect(summaries.every((s) => s.processed > 0)).toBe(true)
    expect(runs.size).toBe(1000)
    expect([...runs.values()].filter((n) => n !== 1)).toEqual([])
  }, 60_000)

  it("inbox.startWorker() on one inbox runs an event another store queued in well under its poll interval (LISTEN/NOTIFY)", async () => {
    const schema = freshSchema('notify')
    dropAfterTest(schema)
    const other = postgresStore({ connectionString: PG_URL, schema })
    const store = postgresStore({ connectionString: PG_URL, schema })
    onCleanup(() => other.close())
    const inbox = createInbox({ store, providers: { github: github({ secret: 's' }) } })
    onCleanup(() => inbox.shutdown({ graceMs: 1000 }))
    const ran: string[] = []
    inbox.onAny((event) => void ran.push(event.id))
    let listening = false
    const unsubscribe = store.onDue!(() => (listening = true))
    onCleanup(unsubscribe)
    const worker = inbox.startWorker({ intervalMs: 600_000 })
    onCleanup(() => worker.stop())
    await waitFor(() => listening, 5_000, 'LISTEN to be in place')
    const queuedAt = Date.now()
    await other.claim({ provider: 'github', eventId: 'woken', type: 'ping', body: '{}', headers: {} }, { now: queuedAt, leaseMs: 60_000, queue: true })
    await waitFor(() => ran.includes('woken'), 5_000, 'the worker to run the queued event')
    expect(Date.now() - queuedAt).toBeLessThan(5_000)
  }, 30_000)
})
