// The many-instances guarantees, written once and run on every server store: processes
// racing on one id, a process killed mid-handler, two sweepers over one queue, and the
// database stopped under load. test/server-stores.ts holds what differs per dialect.
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, expect, it } from 'vitest'
import { github } from '../../providers/github.js'
import { createInbox } from '../../src/inbox.js'
import { waitFor } from '../helpers.js'
import { onCleanup } from '../node-helpers.js'
import { describeEachServer } from '../server-stores.js'
import { deliver, ledgerLines, type Server, startServer } from './processes.js'

type Job = { port: number; id: string }
const ok = (status: number) => status >= 200 && status < 300

/** Sends `jobs` with `lanes` requests in flight; the status of each, in job order (0: no answer). */
async function deliverAll(jobs: Job[], lanes: number): Promise<number[]> {
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

/** How often each event's handler succeeded, by event id. */
function doneCounts(ledger: string) {
  const counts = new Map<string, number>()
  for (const line of ledgerLines(ledger, 'done')) counts.set(line.split(' ')[1]!, (counts.get(line.split(' ')[1]!) ?? 0) + 1)
  return counts
}

const providers = { github: github({ secret: 's' }) }
const queued = (eventId: string) => ({ provider: 'github', eventId, type: 'ping', body: `{"zen":"${eventId}"}`, headers: {} })

describeEachServer('real processes sharing one server store', (dialect) => {
  let dir: string
  let ledger: string
  const servers: Server[] = []
  const start = async (env: Record<string, string>) => {
    const server = await startServer({ LEDGER: ledger, ...env })
    servers.push(server)
    return server
  }

  afterEach(() => {
    for (const server of servers.splice(0)) if (server.child.exitCode === null) server.child.kill('SIGKILL')
    rmSync(dir, { recursive: true, force: true })
  })

  it('4 processes answer 1,600 concurrent deliveries of 200 ids 2xx, and each id succeeds exactly once', async () => {
    dir = mkdtempSync(join(tmpdir(), `webhook-inbox-${dialect.name}-procs-`))
    ledger = join(dir, 'ledger.txt')
    const place = await dialect.fresh('procs')
    const procs = await Promise.all(Array.from({ length: 4 }, () => start({ ...place.serverEnv, HANDLER_MS: '2' })))
    // The 8 copies of an id are sent one after another, copy k to process k % 4, so every
    // copy is in flight at once and each process races the others for the id (copies sent
    // apart would meet a process that saw the id settle, which answers without its store).
    const ids = Array.from({ length: 200 }, (_, i) => `multi-${i}`)
    const jobs = ids.flatMap((id) => Array.from({ length: 8 }, (_, k) => ({ port: procs[k % 4]!.port, id })))
    const statuses = await deliverAll(jobs, 32)
    expect(statuses.filter((s) => !ok(s))).toEqual([])
    const done = doneCounts(ledger)
    expect(done.size).toBe(200)
    expect([...done.values()].filter((n) => n !== 1)).toEqual([])
    expect(new Set(ledgerLines(ledger, 'done').map((line) => line.split(' ')[3])).size).toBe(4)
  }, 60_000)

  it("a process killed with SIGKILL mid-handler: another process's sweeper finishes the event after its lease, exactly once", async () => {
    dir = mkdtempSync(join(tmpdir(), `webhook-inbox-${dialect.name}-crash-`))
    ledger = join(dir, 'ledger.txt')
    const place = await dialect.fresh('crash')
    const env = { ...place.serverEnv, LEASE_MS: '1500', SWEEP_INTERVAL_MS: '100' }
    const [first, second] = await Promise.all([start({ ...env, HANG_FIRST_ATTEMPT: 'ignore-signal' }), start(env)])
    const pending = deliver(first!.port, 'crash-1').catch(() => undefined)
    await waitFor(() => ledgerLines(ledger, 'start', 'crash-1').length === 1, 10_000, 'the handler to start')
    first!.child.kill('SIGKILL')
    await first!.exited
    await pending
    const store = place.open()
    const row = async () => {
      const event = await store.get({ provider: 'github', eventId: 'crash-1' })
      return event && { status: event.status, attempts: event.fence }
    }
    await waitFor(async () => (await row())?.status === 'processed', 15_000, 'the other sweeper to finish it')
    // Processed rows are never run again, so the ledger is final.
    expect(ledgerLines(ledger, 'done', 'crash-1').map((line) => line.split(' ')[3])).toEqual([String(second!.child.pid)])
    expect(await row()).toEqual({ status: 'processed', attempts: 2 })
  }, 60_000)

  it('the database stopped mid-load and started again: 503s during the outage, no crash, then every delivered event processed', async () => {
    dir = mkdtempSync(join(tmpdir(), `webhook-inbox-${dialect.name}-outage-`))
    ledger = join(dir, 'ledger.txt')
    // A server of its own: stopping the shared one would fail every other suite.
    const server = dialect.ownServer()
    const place = await dialect.fresh('outage', server.url)
    const env = { ...place.serverEnv, LEASE_MS: '1000', SWEEP_INTERVAL_MS: '100', HANDLER_MS: '2' }
    const procs = await Promise.all([start(env), start(env)])
    const ids = Array.from({ length: 400 }, (_, i) => `outage-${i}`)
    const jobs = ids.map((id, i) => ({ port: procs[i % 2]!.port, id }))
    const load = deliverAll(jobs, 16)
    await waitFor(() => doneCounts(ledger).size >= 100, 30_000, '100 events processed before the outage')
    server.stop()
    const statuses = await load
    server.start()
    expect(statuses.filter((s) => s === 503).length).toBeGreaterThan(0)
    expect(statuses.filter((s) => s !== 503 && !ok(s))).toEqual([])
    // As a provider would: every delivery not answered 2xx is sent again until it is.
    const unanswered = jobs.filter((_, i) => !ok(statuses[i]!))
    await waitFor(async () => (await deliverAll(unanswered, 16)).every(ok), 30_000, 'redeliveries after the restart to be answered 2xx')
    await waitFor(() => doneCounts(ledger).size === ids.length, 30_000, 'every event to be processed')
    for (const proc of procs) expect(proc.child.exitCode).toBeNull()
    const store = place.open()
    await waitFor(async () => (await store.list({ status: 'processed', limit: 1000 })).length === ids.length, 30_000, 'every row to be processed')
    // A handler that succeeded just as the database went away could not record it (its
    // delivery got a 503) and runs again; any other event ran to success exactly once.
    const done = doneCounts(ledger)
    const answered503 = new Set(jobs.filter((_, i) => statuses[i] === 503).map((job) => job.id))
    expect(ids.filter((id) => done.get(id) !== 1 && (!answered503.has(id) || done.get(id)! > 2))).toEqual([])
  }, 120_000)
})

describeEachServer('two inboxes sharing one server store', (dialect) => {
  it('inbox.sweep() on two inboxes at once over 1,000 queued events runs each event exactly once', async () => {
    const place = await dialect.fresh('sweepers')
    const runs = new Map<string, number>()
    const inboxes = [0, 1].map(() => {
      const store = place.open()
      const inbox = createInbox({ store, providers: providers })
      inbox.onAny((event) => void runs.set(event.id, (runs.get(event.id) ?? 0) + 1))
      return { store, inbox }
    })
    const now = Date.now()
    for (let i = 0; i < 1000; i += 100) {
      await Promise.all(Array.from({ length: 100 }, (_, j) => inboxes[0]!.store.claim(queued(`due-${i + j}`), { now, leaseMs: 60_000, queue: true })))
    }
    const summaries = await Promise.all(inboxes.map(({ inbox }) => inbox.sweep({ limit: 1000, concurrency: 8 })))
    expect(summaries[0]!.processed + summaries[1]!.processed).toBe(1000)
    expect(summaries.every((s) => s.processed > 0)).toBe(true)
    expect(runs.size).toBe(1000)
    expect([...runs.values()].filter((n) => n !== 1)).toEqual([])
  }, 60_000)

  it.skipIf(!dialect.notifies)('inbox.startSweeper() on one inbox runs an event another store queued in well under its poll interval (NOTIFY)', async () => {
    const place = await dialect.fresh('notify')
    const other = place.open()
    const store = place.open()
    const inbox = createInbox({ store, providers: providers })
    onCleanup(() => inbox.shutdown({ graceMs: 1000 }))
    const ran: string[] = []
    inbox.onAny((event) => void ran.push(event.id))
    let listening = false
    onCleanup(store.onDue!(() => (listening = true)))
    const sweeper = inbox.startSweeper({ intervalMs: 600_000 })
    onCleanup(() => sweeper.stop())
    await waitFor(() => listening, 5_000, 'LISTEN to be in place')
    const queuedAt = Date.now()
    await other.claim(queued('woken'), { now: queuedAt, leaseMs: 60_000, queue: true })
    await waitFor(() => ran.includes('woken'), 5_000, 'the sweeper to run the queued event')
    expect(Date.now() - queuedAt).toBeLessThan(5_000)
  }, 30_000)
})
