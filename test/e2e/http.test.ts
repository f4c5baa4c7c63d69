import { serve, type ServerType } from '@hono/node-server'
import type { IncomingMessage, Server as HttpServer } from 'node:http'
import { connect } from 'node:net'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { github, stripe } from '../../providers/index.js'
import { createInbox } from '../../src/inbox.js'
import type { Store } from '../../src/store.js'
import { waitFor } from '../helpers.js'
import { openTempStore } from '../node-helpers.js'

// The inbox behind a real socket: what @hono/node-server hands it is what users get.
describe('inbox.routes() behind @hono/node-server on 127.0.0.1', () => {
  const secret = 'http-e2e-secret'
  const providers = { github: github({ secret }), stripe: stripe({ secret }) }
  const successes = new Map<string, number>()
  // Handlers wait on `gate` once they have recorded their event in `started`.
  const started = new Set<string>()
  let gate = Promise.resolve()
  // Every request the inbox has answered, as "<path> <status>".
  const answered: string[] = []
  let server: ServerType
  let port: number
  let store: Store
  let dispose: () => Promise<void>

  beforeAll(async () => {
    const opened = openTempStore()
    store = opened.store
    dispose = opened.dispose
    const inbox = createInbox({ store, providers })
    inbox.onError(() => {})
    inbox.onAny(async (event) => {
      started.add(event.id)
      await gate
      successes.set(event.id, (successes.get(event.id) ?? 0) + 1)
    })
    const routes = inbox.routes()
    const recordAnswer = async (request: Request, env: unknown) => {
      const response = await routes.fetch(request, env as object)
      answered.push(`${new URL(request.url).pathname} ${response.status}`)
      return response
    }
    port = await new Promise<number>((resolve) => {
      server = serve({ fetch: recordAnswer, hostname: '127.0.0.1', port: 0 }, (info) => resolve(info.port))
    })
  })

  afterAll(async () => {
    await new Promise<void>((resolve) => server.close(() => resolve()))
    await dispose()
  })

  async function post(id: string) {
    // Every delivery id has its own body, as on GitHub: one signed body is one event.
    const body = JSON.stringify({ action: 'opened', issue: { number: 1, node_id: id } })
    const headers = await providers.github.sign({ body, id, type: 'issues' })
    return fetch(`http://127.0.0.1:${port}/github`, { method: 'POST', headers, body })
  }

  it('inbox.routes() answers 200 concurrent deliveries of 20 ids over real sockets 2xx: each id runs once, the other 180 are answered duplicate while those runs are held', async () => {
    const ids = Array.from({ length: 20 }, (_, i) => `burst-${i}`)
    let release!: () => void
    gate = new Promise<void>((resolve) => (release = resolve))
    const pending = Array.from({ length: 200 }, (_, i) => post(ids[i % ids.length]!))
    let settled = 0
    for (const response of pending) void response.then(() => settled++, () => settled++)
    await waitFor(() => ids.every((id) => started.has(id)) && settled === 180, 10_000, "every id's handler to start and the 180 redeliveries to be answered")
    release()
    const responses = await Promise.all(pending)
    expect(responses.filter((r) => r.status < 200 || r.status > 299)).toEqual([])
    expect(ids.map((id) => successes.get(id))).toEqual(ids.map(() => 1))
    expect(responses.filter((r) => r.headers.get('webhook-inbox-status') === 'processed')).toHaveLength(20)
    expect(responses.filter((r) => r.headers.get('webhook-inbox-status') === 'duplicate')).toHaveLength(180)
  })

  it('inbox.routes() answers 400 and stores no row when a client declares more body than it sends and hangs up, though the bytes it sent were validly signed', async () => {
    // If the server took the bytes that arrived for the whole body, this delivery would verify and be stored.
    const body = JSON.stringify({ id: 'evt_truncated', object: 'event', type: 'charge.succeeded' })
    const headers = await providers.stripe.sign({ body })
    const request =
      `POST /stripe HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n` +
      `Stripe-Signature: ${headers['stripe-signature']}\r\nContent-Length: ${body.length + 50}\r\n\r\n${body}`
    const arrived = new Promise<IncomingMessage>((resolve) => (server as HttpServer).once('request', resolve))
    const socket = connect(port, '127.0.0.1', () => socket.write(request))
    const closed = new Promise<void>((resolve, reject) => {
      socket.on('close', () => resolve())
      socket.on('error', reject)
    })
    // Hang up only once the server has read every byte that was sent.
    const incoming = await arrived
    await waitFor(() => incoming.socket.bytesRead >= Buffer.byteLength(request), 5_000, 'the server to read the whole truncated request')
    socket.destroy()
    await closed
    await waitFor(() => answered.some((line) => line.startsWith('/stripe ')), 5_000, 'the inbox to answer the truncated delivery')
    expect(answered.filter((line) => line.startsWith('/stripe '))).toEqual(['/stripe 400'])
    expect(await store.get({ provider: 'stripe', eventId: 'evt_truncated' })).toBeUndefined()
    expect((await post('after-truncation')).status).toBe(200)
  })

  it('a body over the provider limit, declared by Content-Length, is answered 413 over a real socket', async () => {
    const response = await fetch(`http://127.0.0.1:${port}/github`, { method: 'POST', body: new Uint8Array(25 * 1024 * 1024 + 1) })
    expect(response.status).toBe(413)
  })
})
