import Database from 'better-sqlite3'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import pg from 'pg'
import { afterEach, describe, expect, it } from 'vitest'
import { waitFor } from '../helpers.js'
import { adminQuery } from '../mysql-helpers.js'
import { SERVER_STORES, type ServerDialect } from '../server-stores.js'
import { ledgerLines, type Server, startServer } from './processes.js'

const BODY = '{"item":"book","quantity":2}'
const KEY_ROW = 'select status, response_status as responseStatus from idempotency_keys where key = ?'
const ORDERS = (table = 'orders') => `select id, item, quantity from ${table} order by id`

const servers: Server[] = []

/** Kills the test's servers, then removes its folder (the SQLite file, the ledger). */
function cleanUp(dir: string) {
  for (const server of servers.splice(0)) if (server.child.exitCode === null) server.child.kill('SIGKILL')
  rmSync(dir, { recursive: true, force: true })
}

async function startOrders(env: Record<string, string>) {
  const server = await startServer(env, 'test/e2e/fixtures/orders-server.ts')
  servers.push(server)
  return server
}

async function order(server: Server, key: string) {
  const response = await fetch(`http://127.0.0.1:${server.port}/orders`, { method: 'POST', body: BODY, headers: { 'idempotency-key': key, 'content-type': 'application/json' } })
  return { status: response.status, replayed: response.headers.get('idempotent-replayed'), body: await response.text() }
}

/** Retries `key` on `server` while the killed run's lock lasts (409), bounded by waitFor's deadline. */
async function orderAfterLock(server: Server, key: string) {
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

function sqliteRows(path: string, sql: string, ...params: unknown[]) {
  const db = new Database(path, { readonly: true })
  try {
    return db.prepare(sql).all(...params)
  } finally {
    db.close()
  }
}

describe('idempotency() in real processes sharing one SQLite file', () => {
  let dir: string
  const paths = () => ({ db: join(dir, 'orders.db'), ledger: join(dir, 'ledger.txt') })
  const start = (env: Record<string, string>) => startOrders({ WEBHOOK_INBOX_DB: paths().db, LEDGER: paths().ledger, ...env })
  const row = (key: string) => sqliteRows(paths().db, KEY_ROW, key)[0]

  afterEach(() => cleanUp(dir))

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
})

/** Where the orders API of test/e2e/fixtures/orders-server.ts keeps its keys and orders, read by the test outside it. */
interface OrdersPlace {
  env: Record<string, string>
  orders(): Promise<unknown[]>
  key(key: string): Promise<unknown>
}

async function serverPlace(dialect: ServerDialect): Promise<OrdersPlace> {
  const place = await dialect.fresh('idem_kill')
  const store = place.open()
  const pgOrders = async () => {
    const client = new pg.Client({ connectionString: place.url })
    await client.connect()
    try {
      return (await client.query(ORDERS(`"${place.serverEnv.PG_SCHEMA}".orders`))).rows
    } finally {
      await client.end()
    }
  }
  return {
    env: place.serverEnv,
    orders: async () => (dialect.name === 'postgres' ? pgOrders() : ((await adminQuery(ORDERS(), [], place.url)) as unknown[])),
    async key(key) {
      const record = await store.keys.get({ scope: '', key })
      return record && { status: record.status, responseStatus: record.responseStatus }
    },
  }
}

const PLACES: { title: string; skip: boolean; open(dir: string): Promise<OrdersPlace> }[] = [
  {
    title: 'SQLite',
    skip: false,
    open: async (dir) => {
      const db = join(dir, 'orders.db')
      return { env: { WEBHOOK_INBOX_DB: db }, orders: async () => sqliteRows(db, ORDERS()), key: async (key) => sqliteRows(db, KEY_ROW, key)[0] }
    },
  },
  ...SERVER_STORES.map((dialect) => ({ title: dialect.title, skip: !dialect.url, open: () => serverPlace(dialect) })),
]

for (const { title, skip, open } of PLACES) {
  describe.skipIf(skip)(`c.get('idempotency').transaction in a process killed with SIGKILL, then restarted (${title})`, () => {
    let dir: string
    afterEach(() => cleanUp(dir))
    const setup = async (tag: string) => {
      dir = mkdtempSync(join(tmpdir(), `webhook-inbox-idem-${tag}-`))
      const place = await open(dir)
      const ledger = join(dir, 'ledger.txt')
      return { ...place, ledger, start: (env: Record<string, string>) => startOrders({ ...place.env, LEDGER: ledger, TRANSACTION: '1', ...env }) }
    }

    it('transaction(fn) in a process SIGKILLed after its commit, before its answer is sent: the retry to a restarted server gets the stored 201 and body with Idempotent-Replayed: true, and one order exists', async () => {
      const { start, orders, key, ledger } = await setup('commit')
      const first = await start({ KILL: 'after-commit' })
      await expect(order(first, 'pay-commit')).rejects.toThrow()
      await first.exited
      expect(first.child.signalCode).toBe('SIGKILL')
      expect(await orders()).toEqual([{ id: 1, item: 'book', quantity: 2 }])
      expect(await key('pay-commit')).toEqual({ status: 'completed', responseStatus: 201 })

      const second = await start({})
      const retry = await order(second, 'pay-commit')
      expect([retry.status, retry.replayed, JSON.parse(retry.body)]).toEqual([201, 'true', { id: 1, item: 'book', quantity: 2 }])
      expect(await orders()).toHaveLength(1)
      expect(ledgerLines(ledger, 'start', 'pay-commit')).toHaveLength(1)
      expect(ledgerLines(ledger, 'done', 'pay-commit')).toHaveLength(0)
    }, 60_000)

    it('transaction(fn) in a process SIGKILLed inside it, before its commit: no order is left, and the retry to a restarted server (once the lock ran out) creates exactly one', async () => {
      const { start, orders, key, ledger } = await setup('uncommitted')
      const lockMs = '1500'
      const first = await start({ KILL: 'in-transaction', LOCK_MS: lockMs })
      await expect(order(first, 'pay-uncommitted')).rejects.toThrow()
      await first.exited
      expect(first.child.signalCode).toBe('SIGKILL')
      expect(await orders()).toEqual([])
      expect(await key('pay-uncommitted')).toEqual({ status: 'running', responseStatus: null })

      const second = await start({ LOCK_MS: lockMs })
      const answer = await orderAfterLock(second, 'pay-uncommitted')
      expect([answer.status, answer.replayed, JSON.parse(answer.body)]).toEqual([201, null, { id: expect.any(Number), item: 'book', quantity: 2 }])
      expect(await orders()).toEqual([JSON.parse(answer.body)])
      expect(await key('pay-uncommitted')).toEqual({ status: 'completed', responseStatus: 201 })
      expect(await order(second, 'pay-uncommitted')).toEqual({ status: 201, replayed: 'true', body: answer.body })
      expect(ledgerLines(ledger, 'start', 'pay-uncommitted')).toHaveLength(2)
    }, 60_000)
  })
}
