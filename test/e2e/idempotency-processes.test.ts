import Database from 'better-sqlite3'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, describe, expect, it } from 'vitest'
import { waitFor } from '../helpers.js'
import { ledgerLines, type Server, startServer } from './processes.js'

const BODY = '{"item":"book","quantity":2}'

describe('idempotency() in real processes sharing one SQLite file', () => {
  let dir: string
  const servers: Server[] = []
  const paths = () => ({ db: join(dir, 'orders.db'), ledger: join(dir, 'ledger.txt') })
  const start = async (env: Record<string, string>) => {
    const server = await startServer({ WEBHOOK_INBOX_DB: paths().db, LEDGER: paths().ledger, ...env }, 'test/e2e/fixtures/orders-server.ts')
    servers.push(server)
    return server
  }
  const order = async (server: Server, key: string) => {
    const response = await fetch(`http://127.0.0.1:${server.port}/orders`, { method: 'POST', body: BODY, headers: { 'idempotency-key': key, 'content-type': 'application/json' } })
    return { status: response.status, replayed: response.headers.get('idempotent-replayed'), body: await response.text() }
  }
  const row = (key: string) => {
    const db = new Database(paths().db, { readonly: true })
    try {
      return db.prepare('select status, response_status as responseStatus from idempotency_keys where key = ?').get(key)
    } finally {
      db.close()
    }
  }

  afterEach(() => {
    for (const server of servers.splice(0)) if (server.child.exitCode === null) server.child.kill('SIGKILL')
    rmSync(dir, { recursive: true, force: true })
  })

  it('50 concurrent requests with one key over 2 processes run the handler once; each answer is the original or 409, and every later retry is the replay', async () => {
    dir = mkdtempSync(join(tmpdir(), 'webhook-inbox-idem-'))
    const [a, b] = await Promise.all([start({ HANDLER_MS: '300' }), start({ HANDLER_MS: '300' })])
    const answers = await Promise.all(Array.from({ length: 50 }, (_, i) => order(i % 2 === 0 ? a! : b!, 'pay-50')))
    const originals = answers.filter((answer) => answer.status === 201 && answer.replayed === null)
    expect(originals).toHaveLength(1)
    const original = originals[0]!.body
    for (const answer of answers) expect(answer.status === 409 || (answer.status === 201 && answer.body === original)).toBe(true)
    expect(answers.filter((answer) => answer.status === 409).length).toBeGreaterThan(0)

    const retries = await Promise.all(Array.from({ length: 10 }, (_, i) => order(i % 2 === 0 ? a! : b!, 'pay-50')))
    expect(retries).toEqual(Array.from({ length: 10 }, () => ({ status: 201, replayed: 'true', body: original })))
    expect(ledgerLines(paths().ledger, 'start', 'pay-50')).toHaveLength(1)
    expect(row('pay-50')).toEqual({ status: 'completed', responseStatus: 201 })
  }, 60_000)

  it('a process killed with SIGKILL mid-handler holds the key until lockMs; then a retry in another process runs the handler once more and its answer is stored', async () => {
    dir = mkdtempSync(join(tmpdir(), 'webhook-inbox-idem-crash-'))
    const lockMs = '1500'
    const first = await start({ HANG: '1', LOCK_MS: lockMs })
    const pending = order(first, 'pay-crash').catch(() => undefined)
    await waitFor(() => ledgerLines(paths().ledger, 'start', 'pay-crash').length === 1, 10_000, 'the handler to start')
    first.child.kill('SIGKILL')
    await first.exited
    await pending
    expect(row('pay-crash')).toEqual({ status: 'running', responseStatus: null })

    const second = await start({ LOCK_MS: lockMs })
    let answer = await order(second, 'pay-crash')
    // 409 while the dead run's lock lasts; bounded by waitFor's deadline.
    await waitFor(
      async () => {
        if (answer.status !== 409) return true
        answer = await order(second, 'pay-crash')
        return false
      },
      10_000,
      'the lock of the killed run to expire',
    )
    expect([answer.status, answer.replayed]).toEqual([201, null])
    expect(ledgerLines(paths().ledger, 'start', 'pay-crash')).toHaveLength(2)
    expect(ledgerLines(paths().ledger, 'done', 'pay-crash')).toHaveLength(1)
    expect(row('pay-crash')).toEqual({ status: 'completed', responseStatus: 201 })
    expect(await order(second, 'pay-crash')).toEqual({ status: 201, replayed: 'true', body: answer.body })
  }, 60_000)
})
