import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, describe, expect, it } from 'vitest'
import { stripe } from '../../providers/stripe.js'
import { STATUS_HEADER } from '../../src/response.js'
import type { Store } from '../../src/store.js'
import { sqliteStore } from '../../src/stores/sqlite/index.js'
import { waitFor } from '../helpers.js'
import { onCleanup } from '../node-helpers.js'
import { describeEachServer } from '../server-stores.js'
import { ledgerLines, type Server, startServer } from './processes.js'

const signer = stripe({ secret: 'whsec_ledger' })

/** A signed Stripe event about subscription `sub`, `created` its version. */
async function deliver(port: number, id: string, sub: string, created: number): Promise<Response> {
  const body = JSON.stringify({ id, object: 'event', type: 'customer.subscription.updated', created, data: { object: { id: sub, object: 'subscription' } } })
  return fetch(`http://127.0.0.1:${port}/webhooks/stripe`, { method: 'POST', headers: await signer.sign({ body }), body })
}

/**
 * The ordering proofs over two real server processes on one store: `place` gives the
 * environment that points the ledger server at it and a store of the test's own on it.
 */
function orderingProofs(setup: () => Promise<{ env: Record<string, string>; store: () => Store }>) {
  let dir: string
  const servers: Server[] = []
  const ledger = () => join(dir, 'ledger.txt')
  const startTwo = async (env: Record<string, string>) => {
    const started = await Promise.all([0, 1].map(() => startServer({ ...env, LEDGER: ledger(), ORDERING: '1', INBOX_MODE: 'deadline', ACK_DEADLINE_MS: '10000' })))
    servers.push(...started)
    return started as [Server, Server]
  }

  afterEach(() => {
    for (const server of servers.splice(0)) if (server.child.exitCode === null) server.child.kill('SIGKILL')
    rmSync(dir, { recursive: true, force: true })
  })

  it('a newer version processed by one process, then an older one delivered to the other: 200 stale, no handler call; an equal one runs', async () => {
    dir = mkdtempSync(join(tmpdir(), 'webhook-inbox-ordering-'))
    const { env, store } = await setup()
    const [a, b] = await startTwo(env)
    expect((await deliver(a.port, 'evt_new', 'sub_x', 200)).headers.get(STATUS_HEADER)).toBe('processed')
    const older = await deliver(b.port, 'evt_old', 'sub_x', 100)
    expect(older.status).toBe(200)
    expect(older.headers.get(STATUS_HEADER)).toBe('stale')
    expect((await deliver(b.port, 'evt_same', 'sub_x', 200)).headers.get(STATUS_HEADER)).toBe('processed')
    expect(ledgerLines(ledger(), 'start').map((line) => line.split(' ')[1])).toEqual(['evt_new', 'evt_same'])
    expect((await store().get({ provider: 'stripe', eventId: 'evt_old' }))?.status).toBe('stale')
  })

  it('ten events of one entity delivered at once over two processes, 100 ms handlers: no two runs overlap, the newest is processed, processed ones ascend', async () => {
    dir = mkdtempSync(join(tmpdir(), 'webhook-inbox-ordering-'))
    const { env, store } = await setup()
    const [a, b] = await startTwo({ ...env, HANDLER_MS: '100' })
    const versions = [4, 9, 1, 7, 10, 2, 6, 3, 8, 5]
    const answers = await Promise.all(versions.map((v, i) => deliver((i % 2 === 0 ? a : b).port, `evt_v${v}`, 'sub_one', v)))
    expect(answers.map((answer) => answer.status).every((status) => status === 200 || status === 202)).toBe(true)
    const settled = async () => {
      const rows = await Promise.all(versions.map((v) => store().get({ provider: 'stripe', eventId: `evt_v${v}` })))
      return rows.every((row) => row?.status === 'processed' || row?.status === 'stale')
    }
    await waitFor(settled, 20_000, 'every event processed or stale')
    const spans = ledgerLines(ledger(), 'span')
      .map((line) => line.split(' '))
      .map(([, id, version, start, end]) => ({ id: id!, version: Number(version), start: Number(start), end: Number(end) }))
      .sort((x, y) => x.start - y.start)
    for (let i = 1; i < spans.length; i++) expect(spans[i]!.start, `${spans[i]!.id} started before ${spans[i - 1]!.id} ended`).toBeGreaterThanOrEqual(spans[i - 1]!.end)
    expect(spans.map((span) => span.version)).toEqual(spans.map((span) => span.version).sort((x, y) => x - y))
    expect(spans.at(-1)?.id).toBe('evt_v10')
    expect((await store().get({ provider: 'stripe', eventId: 'evt_v10' }))?.status).toBe('processed')
  })

  it('five entities, one event each, 300 ms handlers, delivered at once over two processes: they run in parallel', async () => {
    dir = mkdtempSync(join(tmpdir(), 'webhook-inbox-ordering-'))
    const { env } = await setup()
    const [a, b] = await startTwo({ ...env, HANDLER_MS: '300' })
    const started = performance.now()
    const answers = await Promise.all([1, 2, 3, 4, 5].map((n) => deliver((n % 2 === 0 ? a : b).port, `evt_e${n}`, `sub_e${n}`, 1)))
    expect(answers.map((answer) => answer.headers.get(STATUS_HEADER))).toEqual(Array(5).fill('processed'))
    expect(performance.now() - started).toBeLessThan(1200)
  })
}

describe('ordering over two processes sharing one SQLite file', () => {
  orderingProofs(async () => {
    const path = join(dir(), 'webhooks.db')
    return {
      env: { WEBHOOK_INBOX_DB: path },
      store: () => {
        const store = sqliteStore({ path })
        onCleanup(() => store.close())
        return store
      },
    }
  })
})

describeEachServer('ordering over two processes on one server', (dialect) => {
  orderingProofs(async () => {
    const place = await dialect.fresh('ordering')
    return { env: place.serverEnv, store: () => place.open() }
  })
})

/** A directory for the SQLite file, removed after the test (the ledger's is the suite's own). */
function dir(): string {
  const path = mkdtempSync(join(tmpdir(), 'webhook-inbox-ordering-db-'))
  onCleanup(() => rmSync(path, { recursive: true, force: true }))
  return path
}
