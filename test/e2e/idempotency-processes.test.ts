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
  const query = (sql: string, ...params: unknown[]) => {
    const db = new Database(paths().db, { readonly: true })
    try {
      return db.prepare(sql).all(...params)
    } finally {
      db.close()
    }
  }
  const row = (key: string) => query('select status, response_status as responseStatus from idempotency_keys where key = ?', key)[0]
  const storedOrders = () => query('select id, item, quantity from orders order by id')
  /** Retries `key` on `server` while the killed run's lock lasts (409), bounded by waitFor's deadline. */
  const orderAfterLock = async (server: Server, key: string) => {
    let answer = await order(server, key)
    await waitFor(
      async () => {
        if (answer.status !== 409) return true
        answer = await order(server, key)
        return false
      },
      10_000,
      'the lock of the killed run to expire',
    )
    return answer
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
    const answer = await orderAfterLock(second, 'pay-crash')
    expect([answer.status, answer.replayed]).toEqual([201, null])
    expect(ledgerLines(paths().ledger, 'start', 'pay-crash')).toHaveLength(2)
    expect(ledgerLines(paths().ledger, 'done', 'pay-crash')).toHaveLength(1)
    expect(row('pay-crash')).toEqual({ status: 'completed', responseStatus: 201 })
    expect(await order(second, 'pay-crash')).toEqual({ status: 201, replayed: 'true', body: answer.body })
  }, 60_000)

  it("transaction(fn) in a process SIGKILLed after its commit, before its answer is sent: the retry to a restarted server gets the stored 201 and body with Idempotent-Replayed: true, and one order exists", async () => {
    dir = mkdtempSync(join(tmpdir(), 'webhook-inbox-idem-commit-'))
    const first = await start({ TRANSACTION: '1', KILL: 'after-commit' })
    await expect(order(first, 'pay-commit')).rejects.toThrow()
    await first.exited
    expect(first.child.signalCode).toBe('SIGKILL')
    expect(storedOrders()).toEqual([{ id: 1, item: 'book', quantity: 2 }])
    expect(row('pay-commit')).toEqual({ status: 'completed', responseStatus: 201 })

    const second = await start({ TRANSACTION: '1' })
    const retry = await order(second, 'pay-commit')
    expect([retry.status, retry.replayed, JSON.parse(retry.body)]).toEqual([201, 'true', { id: 1, item: 'book', quantity: 2 }])
    expect(storedOrders()).toHaveLength(1)
    expect(ledgerLines(paths().ledger, 'start', 'pay-commit')).toHaveLength(1)
    expect(ledgerLines(paths().ledger, 'done', 'pay-commit')).toHaveLength(0)
  }, 60_000)

  it('transaction(fn) in a process SIGKILLed inside it, before its commit: no order is left, and the retry to a restarted server (once the lock ran out) creates exactly one', async () => {
    dir = mkdtempSync(join(tmpdir(), 'webhook-inbox-idem-uncommitted-'))
    const lockMs = '1500'
    const first = await start({ TRANSACTION: '1', KILL: 'in-transaction', LOCK_MS: lockMs })
    await expect(order(first, 'pay-uncommitted')).rejects.toThrow()
    await first.exited
    expect(first.child.signalCode).toBe('SIGKILL')
    expect(storedOrders()).toEqual([])
    expect(row('pay-uncommitted')).toEqual({ status: 'running', responseStatus: null })

    const second = await start({ TRANSACTION: '1', LOCK_MS: lockMs })
    const answer = await orderAfterLock(second, 'pay-uncommitted')
    expect([answer.status, answer.replayed, JSON.parse(answer.body)]).toEqual([201, null, { id: expect.any(Number), item: 'book', quantity: 2 }])
    expect(storedOrders()).toEqual([JSON.parse(answer.body)])
    expect(row('pay-uncommitted')).toEqual({ status: 'completed', responseStatus: 201 })
    expect(await order(second, 'pay-uncommitted')).toEqual({ status: 201, replayed: 'true', body: answer.body })
    expect(ledgerLines(paths().ledger, 'start', 'pay-uncommitted')).toHaveLength(2)
  }, 60_000)

  it.todo('the two transaction(fn) SIGKILL proofs on Postgres: postgresStore().keys has no transaction() until branch h24-pgmy lands; then orders-server.ts needs a PG_URL branch (pgTable orders)')
})
