import Database from 'better-sqlite3'
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { connect } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, describe, expect, it } from 'vitest'
import { sqliteStore } from '../../src/stores/sqlite/index.js'
import { waitFor } from '../helpers.js'
import { deliver, ledgerLines, type Server, startServer } from './processes.js'

/** True once nothing listens on `port` any more (the connection is refused). */
function refusesConnections(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect(port, '127.0.0.1', () => {
      socket.destroy()
      resolve(false)
    })
    socket.once('error', () => resolve(true))
  })
}

describe('real processes sharing one SQLite file', () => {
  let dir: string
  const servers: Server[] = []
  const paths = () => ({ db: join(dir, 'webhooks.db'), ledger: join(dir, 'ledger.txt') })
  const start = async (env: Record<string, string>) => {
    const server = await startServer({ WEBHOOK_INBOX_DB: paths().db, LEDGER: paths().ledger, ...env })
    servers.push(server)
    return server
  }
  const row = (eventId: string) => {
    const db = new Database(paths().db, { readonly: true })
    try {
      return db.prepare('select status, attempts from webhook_events where event_id = ?').get(eventId)
    } finally {
      db.close()
    }
  }

  afterEach(() => {
    for (const server of servers.splice(0)) if (server.child.exitCode === null) server.child.kill('SIGKILL')
    rmSync(dir, { recursive: true, force: true })
  })

  it('two processes answer 1,000 concurrent deliveries of 100 ids 2xx, and each id succeeds exactly once', async () => {
    dir = mkdtempSync(join(tmpdir(), 'webhook-inbox-procs-'))
    const [a, b] = await Promise.all([start({ HANDLER_MS: '3' }), start({ HANDLER_MS: '3' })])
    // Every id goes to both processes, five times each, in a shuffled order.
    const jobs = Array.from({ length: 1000 }, (_, i) => ({ port: (i % 2 === 0 ? a! : b!).port, id: `multi-${Math.floor(i / 10)}` }))
    let seed = 7
    for (let i = jobs.length - 1; i > 0; i--) {
      seed = (seed * 1103515245 + 12345) % 2 ** 31
      const j = seed % (i + 1)
      ;[jobs[i], jobs[j]] = [jobs[j]!, jobs[i]!]
    }
    const statuses: number[] = []
    let next = 0
    await Promise.all(
      Array.from({ length: 50 }, async () => {
        while (next < jobs.length) {
          const job = jobs[next++]!
          const response = await deliver(job.port, job.id)
          statuses.push(response.status)
          await response.arrayBuffer()
        }
      }),
    )
    expect(statuses.filter((s) => s < 200 || s > 299)).toEqual([])
    const done = ledgerLines(paths().ledger, 'done').map((line) => line.split(' ')[1])
    expect(done.length).toBe(100)
    expect(new Set(done).size).toBe(100)
    const pids = new Set(ledgerLines(paths().ledger, 'done').map((line) => line.split(' ')[3]))
    expect(pids.size).toBe(2)
  }, 60_000)

  it('a process killed with SIGKILL mid-handler loses nothing: after restart the sweeper finishes the event once', async () => {
    dir = mkdtempSync(join(tmpdir(), 'webhook-inbox-crash-'))
    const first = await start({ HANG_FIRST_ATTEMPT: 'ignore-signal', LEASE_MS: '1500' })
    const pending = deliver(first.port, 'crash-1').catch(() => undefined)
    await waitFor(() => ledgerLines(paths().ledger, 'start', 'crash-1').length === 1, 10_000, 'the handler to start')
    first.child.kill('SIGKILL')
    await first.exited
    await pending
    expect(row('crash-1')).toEqual({ status: 'processing', attempts: 1 })

    await start({ LEASE_MS: '1500', SWEEP_INTERVAL_MS: '100' })
    await waitFor(() => ledgerLines(paths().ledger, 'done', 'crash-1').length > 0, 15_000, 'the sweeper to finish the event')
    await waitFor(() => (row('crash-1') as { status: string } | undefined)?.status === 'processed', 5_000, 'the sweeper to mark the event processed')
    // A second event abandoned the same way, stored only now: once the sweeper has
    // finished it, it has made a pass after crash-1's run that would have run crash-1 again.
    const marker = sqliteStore({ path: paths().db })
    const now = Date.now()
    const abandoned = {
      provider: 'github',
      eventId: 'crash-marker',
      type: 'issues.opened',
      body: JSON.stringify({ action: 'opened', issue: { number: 1 } }),
      headers: { 'x-github-delivery': 'crash-marker', 'x-github-event': 'issues', 'content-type': 'application/json' },
    }
    expect((await marker.claim(abandoned, { now: now - 10_000, leaseMs: 1500 })).outcome).toBe('claimed')
    await marker.close()
    await waitFor(() => ledgerLines(paths().ledger, 'done', 'crash-marker').length > 0, 10_000, 'a later sweeper pass to finish the marker event')
    expect(ledgerLines(paths().ledger, 'done', 'crash-1')).toHaveLength(1)
    expect(row('crash-1')).toEqual({ status: 'processed', attempts: 2 })
  }, 60_000)

  it("a process killed with SIGKILL in an event's second handler: after restart the sweeper runs only the second, and the first handler's line appears once", async () => {
    dir = mkdtempSync(join(tmpdir(), 'webhook-inbox-records-'))
    const first = await start({ FIRST_HANDLER: '1', HANG_FIRST_ATTEMPT: 'ignore-signal', LEASE_MS: '1500' })
    const pending = deliver(first.port, 'kill-second').catch(() => undefined)
    await waitFor(() => ledgerLines(paths().ledger, 'start', 'kill-second').length === 1, 10_000, 'the second handler to start')
    first.child.kill('SIGKILL')
    await first.exited
    await pending

    await start({ FIRST_HANDLER: '1', LEASE_MS: '1500', SWEEP_INTERVAL_MS: '100' })
    await waitFor(() => (row('kill-second') as { status?: string } | undefined)?.status === 'processed', 15_000, 'the sweeper to finish the event')
    expect(ledgerLines(paths().ledger, 'first', 'kill-second')).toHaveLength(1)
    expect(ledgerLines(paths().ledger, 'start', 'kill-second')).toHaveLength(2)
    expect(ledgerLines(paths().ledger, 'done', 'kill-second')).toHaveLength(1)
    expect(row('kill-second')).toEqual({ status: 'processed', attempts: 2 })
  }, 60_000)

  it('SIGTERM lets a running handler finish, answers it, and exits 0', async () => {
    dir = mkdtempSync(join(tmpdir(), 'webhook-inbox-term-'))
    const hold = join(dir, 'hold')
    writeFileSync(hold, '')
    const server = await start({ HOLD_WHILE_EXISTS: hold })
    const response = deliver(server.port, 'term-1')
    await waitFor(() => ledgerLines(paths().ledger, 'start', 'term-1').length === 1, 10_000, 'the handler to start')
    server.child.kill('SIGTERM')
    // The handler is still held: let it finish only once the process is shutting down.
    await waitFor(() => refusesConnections(server.port), 10_000, 'the server to stop listening on SIGTERM')
    expect(ledgerLines(paths().ledger, 'done', 'term-1')).toEqual([])
    rmSync(hold)
    expect((await response).status).toBe(200)
    expect(await server.exited).toBe(0)
    expect(row('term-1')).toEqual({ status: 'processed', attempts: 1 })
  }, 30_000)

  it('SIGTERM gives back the lease of a handler still running after the grace period, and the next process runs it at once', async () => {
    dir = mkdtempSync(join(tmpdir(), 'webhook-inbox-grace-'))
    const server = await start({ HANG_FIRST_ATTEMPT: 'until-aborted', GRACE_MS: '200' })
    const response = deliver(server.port, 'grace-1')
    await waitFor(() => ledgerLines(paths().ledger, 'start', 'grace-1').length === 1, 10_000, 'the handler to start')
    server.child.kill('SIGTERM')
    expect((await response).status).toBe(503)
    expect(await server.exited).toBe(0)
    expect(row('grace-1')).toEqual({ status: 'received', attempts: 0 })

    await start({})
    // The handler writes its ledger line before complete() commits, so wait for the row.
    await waitFor(() => (row('grace-1') as { status?: string } | undefined)?.status === 'processed', 10_000, 'the next process to run it')
    expect(ledgerLines(paths().ledger, 'done', 'grace-1')).toHaveLength(1)
    expect(row('grace-1')).toEqual({ status: 'processed', attempts: 1 })
  }, 30_000)
})
