import { mkdtempSync, rmSync } from 'node:fs'
import { connect } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, describe, expect, it } from 'vitest'
import { github } from '../../providers/github.js'
import { createInbox } from '../../src/inbox.js'
import { type Served, type ServeOptions, serve } from '../../src/node/index.js'
import { sqliteStore } from '../../src/stores/sqlite/index.js'
import { waitFor } from '../helpers.js'
import { type Server, startServer } from './processes.js'

interface Trickle {
  /** Bytes of the body sent so far. */
  sent(): number
  closed(): boolean
  /** Everything the server wrote back. */
  received(): string
  stop(): void
}

/**
 * A client that sends a GitHub delivery's headers (or only part of them), then one
 * body byte every `everyMs`: at most `maxBytes` of the 1000 it declares.
 */
function trickle(port: number, { everyMs = 50, maxBytes = 400, partialHeaders = false } = {}): Trickle {
  let sent = 0
  let closed = false
  let received = ''
  const socket = connect(port, '127.0.0.1')
  const head =
    'POST /webhooks/github HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n' +
    `X-Hub-Signature-256: sha256=${'00'.repeat(32)}\r\nX-GitHub-Delivery: slow-1\r\nX-GitHub-Event: issues\r\n`
  socket.on('connect', () => socket.write(partialHeaders ? head : `${head}Content-Length: 1000\r\n\r\n`))
  socket.on('data', (chunk) => (received += chunk.toString()))
  socket.on('error', () => {})
  socket.on('close', () => {
    closed = true
    clearInterval(timer)
  })
  const timer = setInterval(() => {
    if (closed || sent >= maxBytes) return clearInterval(timer)
    // Headers still unfinished are trickled the same way, one header byte at a time.
    socket.write(partialHeaders ? 'X' : ' ')
    sent++
  }, everyMs)
  return {
    sent: () => sent,
    closed: () => closed,
    received: () => received,
    stop() {
      clearInterval(timer)
      socket.destroy()
    },
  }
}

describe('serve() and clients that send slowly', () => {
  const clients: Trickle[] = []
  const servers: Served[] = []
  let requests = 0

  afterEach(async () => {
    for (const client of clients.splice(0)) client.stop()
    for (const served of servers.splice(0)) await served.close()
  })

  // By default a body timeout far beyond every test, so only serve() can end the slow request.
  async function start(options: ServeOptions = {}, bodyTimeoutMs = 120_000) {
    const inbox = createInbox({ store: sqliteStore({ path: ':memory:' }), providers: { github: github({ secret: 's' }) }, bodyTimeoutMs })
    inbox.onError(() => {})
    requests = 0
    const fetch = (request: Request) => {
      requests++
      return inbox.fetch(request)
    }
    const served = await serve(inbox, { port: 0, sweeper: false, signals: false, fetch, ...options })
    servers.push(served)
    return served
  }

  function client(port: number, options?: Parameters<typeof trickle>[1]) {
    const trickling = trickle(port, options)
    clients.push(trickling)
    return trickling
  }

  it('serve().close() finishes within 3 s while a client trickles a body, and closes its connection', async () => {
    const served = await start()
    const slow = client(served.port)
    await waitFor(() => requests === 1 && slow.sent() >= 2, 5_000, 'the server to start reading the slow request')
    const started = Date.now()
    await served.close()
    expect(Date.now() - started).toBeLessThan(3_000)
    await waitFor(() => slow.closed(), 2_000, 'the slow connection to be closed')
    expect(slow.sent()).toBeLessThan(400)
  }, 20_000)

  it('serve() answers 408 body_timeout and closes the connection of a body still arriving after bodyTimeoutMs', async () => {
    const served = await start({}, 300)
    const slow = client(served.port)
    await waitFor(() => slow.closed(), 5_000, 'the server to close the slow request')
    expect(slow.received()).toMatch(/^HTTP\/1\.1 408 [^]*\r\nconnection: close\r\n[^]*"code":"body_timeout"/i)
    expect(slow.sent()).toBeLessThan(60)
  }, 20_000)

  it('serve() answers 408 and closes the connection of a request still arriving after requestTimeoutMs', async () => {
    const served = await start({ requestTimeoutMs: 500, headersTimeoutMs: 500 })
    const slow = client(served.port)
    await waitFor(() => slow.closed(), 5_000, 'the server to close the slow request')
    expect(slow.received()).toMatch(/^HTTP\/1\.1 408 /)
    expect(slow.sent()).toBeLessThan(60)
  }, 20_000)

  it('serve() closes the connection of a client whose headers are still arriving after headersTimeoutMs', async () => {
    const served = await start({ headersTimeoutMs: 500 })
    const slow = client(served.port, { partialHeaders: true })
    await waitFor(() => slow.closed(), 5_000, 'the server to close the connection')
    expect(slow.received()).toMatch(/^HTTP\/1\.1 408 /)
    expect([requests, slow.sent() < 60]).toEqual([0, true])
  }, 20_000)

  it('serve() refuses a headersTimeoutMs longer than requestTimeoutMs before listening', async () => {
    const inbox = createInbox({ store: sqliteStore({ path: ':memory:' }), providers: { github: github({ secret: 's' }) } })
    await expect(serve(inbox, { port: 0, signals: false, sweeper: false, requestTimeoutMs: 1_000, headersTimeoutMs: 2_000 })).rejects.toThrow(
      '[webhook-inbox] serve(): headersTimeoutMs (2000) must not exceed requestTimeoutMs (1000)',
    )
    await inbox.shutdown({ graceMs: 0 })
  })
})

describe('a serve() process and a client that sends slowly', () => {
  let dir: string | undefined
  let server: Server | undefined
  let slow: Trickle | undefined

  afterEach(() => {
    slow?.stop()
    if (server?.child.exitCode === null) server.child.kill('SIGKILL')
    if (dir) rmSync(dir, { recursive: true, force: true })
  })

  it('SIGTERM makes the process exit 0 within 5 s while a client trickles a body', async () => {
    dir = mkdtempSync(join(tmpdir(), 'webhook-inbox-slow-'))
    server = await startServer({ WEBHOOK_INBOX_DB: join(dir, 'webhooks.db'), LEDGER: join(dir, 'ledger.txt') })
    slow = trickle(server.port)
    // Some body bytes out means the headers went long before: the request is being read.
    await waitFor(() => slow!.sent() >= 5, 5_000, 'the client to be trickling its body')
    const started = Date.now()
    server.child.kill('SIGTERM')
    expect(await server.exited).toBe(0)
    expect(Date.now() - started).toBeLessThan(5_000)
    await waitFor(() => slow!.closed(), 2_000, 'the slow connection to be closed')
  }, 30_000)
})
