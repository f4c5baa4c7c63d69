import { serve, type ServerType } from '@hono/node-server'
import { connect } from 'node:net'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { github, stripe } from '../../providers/index.js'
import { createInbox } from '../../src/inbox.js'
import type { Store } from '../../src/stores/types.js'
import { openTempStore } from '../node-helpers.js'

// The inbox behind a real socket: what @hono/node-server hands it is what users get.
describe('inbox.routes() behind @hono/node-server on 127.0.0.1', () => {
  const secret = 'http-e2e-secret'
  const providers = { github: github({ secret }), stripe: stripe({ secret }) }
  const successes = new Map<string, number>()
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
      await new Promise((resolve) => setTimeout(resolve, 2))
      successes.set(event.id, (successes.get(event.id) ?? 0) + 1)
    })
    port = await new Promise<number>((resolve) => {
      server = serve({ fetch: inbox.routes().fetch, hostname: '127.0.0.1', port: 0 }, (info) => resolve(info.port))
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

  it('200 concurrent deliveries of 20 ids over real sockets run each id once, all answered 2xx', async () => {
    const ids = Array.from({ length: 20 }, (_, i) => `burst-${i}`)
    const responses = await Promise.all(Array.from({ length: 200 }, (_, i) => post(ids[i % ids.length]!)))
    expect(responses.filter((r) => r.status < 200 || r.status > 299)).toEqual([])
    expect(ids.map((id) => successes.get(id))).toEqual(ids.map(() => 1))
    expect(responses.filter((r) => r.headers.get('webhook-inbox-status') === 'processed')).toHaveLength(20)
  })

  it('a client that declares more body than it sends and hangs up leaves no row, though the bytes it sent were validly signed', async () => {
    // If the server took the bytes that arrived for the whole body, this delivery would verify and be stored.
    const body = JSON.stringify({ id: 'evt_truncated', object: 'event', type: 'charge.succeeded' })
    const headers = await providers.stripe.sign({ body })
    await new Promise<void>((resolve, reject) => {
      const socket = connect(port, '127.0.0.1', () => {
        socket.write(
          `POST /stripe HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n` +
            `Stripe-Signature: ${headers['stripe-signature']}\r\nContent-Length: ${body.length + 50}\r\n\r\n${body}`,
        )
        setTimeout(() => socket.destroy(), 100)
      })
      socket.on('close', () => resolve())
      socket.on('error', reject)
    })
    await new Promise((resolve) => setTimeout(resolve, 50))
    expect(await store.get({ provider: 'stripe', eventId: 'evt_truncated' })).toBeUndefined()
    expect((await post('after-truncation')).status).toBe(200)
  })

  it('a body over the provider limit, declared by Content-Length, is answered 413 over a real socket', async () => {
    const response = await fetch(`http://127.0.0.1:${port}/github`, { method: 'POST', body: new Uint8Array(25 * 1024 * 1024 + 1) })
    expect(response.status).toBe(413)
  })
})
