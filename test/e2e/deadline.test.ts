import Database from 'better-sqlite3'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, describe, expect, it } from 'vitest'
import { waitFor } from '../helpers.js'
import { deliver, ledgerLines, type Server, startServer } from './processes.js'

describe('the deadline mode in real processes', () => {
  const dir = mkdtempSync(join(tmpdir(), 'webhook-inbox-deadline-'))
  const servers: Server[] = []
  const paths = { db: join(dir, 'webhooks.db'), ledger: join(dir, 'ledger.txt') }
  afterEach(() => {
    for (const server of servers.splice(0)) if (server.child.exitCode === null) server.child.kill('SIGKILL')
    rmSync(dir, { recursive: true, force: true })
  })

  it('a process killed with SIGKILL after its late 202 accepted loses nothing: the next process runs the event once after its lease', async () => {
    const env = { WEBHOOK_INBOX_DB: paths.db, LEDGER: paths.ledger, INBOX_MODE: 'deadline', ACK_DEADLINE_MS: '300', LEASE_MS: '1500' }
    const first = await startServer({ ...env, HANG_FIRST_ATTEMPT: 'ignore-signal' })
    servers.push(first)
    const response = await deliver(first.port, 'late-1')
    expect([response.status, response.headers.get('webhook-inbox-status')]).toEqual([202, 'accepted'])
    expect(ledgerLines(paths.ledger, 'start', 'late-1')).toHaveLength(1)
    first.child.kill('SIGKILL')
    await first.exited

    servers.push(await startServer({ ...env, SWEEP_INTERVAL_MS: '100' }))
    const processed = () => {
      const db = new Database(paths.db, { readonly: true })
      try {
        return db.prepare('select status, attempts from webhook_events where event_id = ?').get('late-1')
      } finally {
        db.close()
      }
    }
    await waitFor(() => (processed() as { status?: string } | undefined)?.status === 'processed', 15_000, 'the sweeper to finish the event')
    expect(ledgerLines(paths.ledger, 'done', 'late-1')).toHaveLength(1)
    expect(processed()).toEqual({ status: 'processed', attempts: 2 })
  }, 60_000)
})
