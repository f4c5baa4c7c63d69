import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, describe, expect, it } from 'vitest'
import { github } from '../../providers/github.js'
import { createInbox } from '../../src/inbox.js'
import { mysqlStore } from '../../src/stores/mysql/index.js'
import { waitFor } from '../helpers.js'
import { adminQuery, createDatabase, MYSQL_URL } from '../mysql-helpers.js'
import { onCleanup } from '../node-helpers.js'
import { deliver, ledgerLines, type Server, startServer } from './processes.js'

const doneCounts = (ledger: string) => {
  const counts = new Map<string, number>()
  for (const line of ledgerLines(ledger, 'done')) counts.set(line.split(' ')[1]!, (counts.get(line.split(' ')[1]!) ?? 0) + 1)
  return counts
}

describe.skipIf(!MYSQL_URL)('real processes sharing one MariaDB', () => {
  let dir: string
  const servers: Server[] = []
  const start = async (url: string, env: Record<string, string> = {}) => {
    const server = await startServer({ MYSQL_URL: url, LEDGER: join(dir, 'ledger.txt'), ...env })
    servers.push(server)
    return server
  }

  afterEach(() => {
    for (const server of servers.splice(0)) if (server.child.exitCode === null) server.child.kill('SIGKILL')
    rmSync(dir, { recursive: true, force: true })
  })

  it('4 processes answer 2,000 concurrent deliveries of 200 ids 2xx, and each id succeeds exactly once', async () => {
    dir = mkdtempSync(join(tmpdir(), 'webhook-inbox-my-procs-'))
    const { url } = await createDatabase('procs')
    const procs = await Promise.all(Array.from({ length: 4 }, () => start(url, { HANDLER_MS: '2' })))
    const jobs = Array.from({ length: 2000 }, (_, i) => ({ port: procs[i % 4]!.port, id: `my-multi-${i % 200}` }))
    const statuses: number[] = []
    let next = 0
    await Promise.all(
      Array.from({ length: 32 }, async () => {
        while (next < jobs.length) {
          const i = next++
          const response = await deliver(jobs[i]!.port, jobs[i]!.id).catch(() => undefined)
          statuses[i] = response?.status ?? 0
          await response?.arrayBuffer()
        }
      }),
    )
    expect(statuses.filter((s) => s < 200 || s > 299)).toEqual([])
    const done = doneCounts(join(dir, 'ledger.txt'))
    expect(done.size).toBe(200)
    expect([...done.values()].filter((n) => n !== 1)).toEqual([])
  }, 120_000)

  it("a process killed with SIGKILL mid-handler: another process's sweeper finishes the event after its lease, exactly once", async () => {
    dir = mkdtempSync(join(tmpdir(), 'webhook-inbox-my-crash-'))
    const { database, url } = await createDatabase('crash')
    const env = { LEASE_MS: '1500', WORKER_INTERVAL_MS: '100' }
    const [first, second] = await Promise.all([start(url, { ...env, HANG_FIRST_ATTEMPT: 'ignore-signal' }), start(url, env)])
    const pending = deliver(first!.port, 'my-crash-1').catch(() => undefined)
    const ledger = join(dir, 'ledger.txt')
    await waitFor(() => ledgerLines(ledger, 'start', 'my-crash-1').length === 1, 10_000, 'the handler to start')
    first!.child.kill('SIGKILL')
    await first!.exited
    await pending
    const row = async () => ((await adminQuery(`select status, attempts from \`${database}\`.webhook_events where event_id = ?`, ['my-crash-1'])) as object[])[0]
    await waitFor(async () => ((await row()) as { status?: string } | undefined)?.status === 'processed', 15_000, 'the other sweeper to finish it')
    expect(ledgerLines(ledger, 'done', 'my-crash-1').map((line) => line.split(' ')[3])).toEqual([String(second!.child.pid)])
    expect(await row()).toEqual({ status: 'processed', attempts: 2 })
  }, 60_000)
})

describe.skipIf(!MYSQL_URL)('two inboxes sharing one MariaDB', () => {
  it('inbox.retryDue() on two inboxes at once over 1,000 due events runs each event exactly once', async () => {
    const { url } = await createDatabase('sweepers')
    const runs = new Map<string, number>()
    const inboxes = [0, 1].map(() => {
      const store = mysqlStore({ uri: url })
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
})
