// examples/express.ts and examples/fastify.ts as a user runs them, on real sockets, and
// toNodeHandler() behind a body parser that ran first.
import express from 'express'
import { mkdtempSync, rmSync } from 'node:fs'
import type { AddressInfo } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import { github } from '../../providers/index.js'
import { createInbox } from '../../src/index.js'
import type { Logger } from '../../src/logger.js'
import { toNodeHandler } from '../../src/node/index.js'
import { sqliteStore } from '../../src/stores/sqlite/index.js'
import { DEVELOPMENT_SECRETS } from '../../src/testing/development-secrets.js'
import { fixture, signedRequest } from '../../src/testing/index.js'
import { startServer } from './processes.js'

const dir = mkdtempSync(join(tmpdir(), 'webhook-inbox-mount-'))
afterAll(() => rmSync(dir, { recursive: true, force: true }))

async function deliverIssue(port: number, id: string) {
  const request = await signedRequest('github', { ...fixture('github', 'issues.opened'), webhook_inbox_test_run: id }, {
    secret: DEVELOPMENT_SECRETS.github.value,
    id,
    type: 'issues',
    url: `http://127.0.0.1:${port}/webhooks/github`,
  })
  const response = await fetch(request)
  return [response.status, ((await response.json()) as { status: string }).status]
}

describe.each(['express', 'fastify'])('examples/%s.ts on 127.0.0.1', (framework) => {
  it(`examples/${framework}.ts answers a signed GitHub delivery 200 processed, its redelivery 200 duplicate, and keeps JSON routes parsing`, async () => {
    // SQLite even where the shell sets DATABASE_URL, which examples/inbox.ts would use.
    const env = { PORT: '0', WEBHOOK_INBOX_DB: join(dir, `${framework}.db`), DATABASE_URL: '' }
    const server = await startServer(env, `examples/${framework}.ts`)
    try {
      const id = `mount-${framework}`
      expect(await deliverIssue(server.port, id)).toEqual([200, 'processed'])
      expect(await deliverIssue(server.port, id)).toEqual([200, 'duplicate'])
      const order = await fetch(`http://127.0.0.1:${server.port}/api/orders`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: '{"sku":"a"}',
      })
      expect([order.status, await order.json()]).toEqual([201, { received: { sku: 'a' } }])
    } finally {
      server.child.kill('SIGTERM')
      expect(await server.exited).toBe(0)
    }
  })
})

describe('toNodeHandler() behind express.json()', () => {
  async function deliverBehindJsonParser(inbox: Parameters<typeof toNodeHandler>[0]) {
    const app = express()
    app.use(express.json())
    app.post('/webhooks/:provider', toNodeHandler(inbox))
    const server = app.listen(0, '127.0.0.1')
    await new Promise((resolve) => server.once('listening', resolve))
    try {
      return await fetch(
        await signedRequest('github', fixture('github', 'issues.opened'), {
          secret: DEVELOPMENT_SECRETS.github.value,
          type: 'issues',
          url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/webhooks/github`,
        }),
      )
    } finally {
      server.close()
    }
  }

  function newInbox(logger?: Logger) {
    return createInbox({ store: sqliteStore({ path: ':memory:' }), providers: { github: github({ secret: DEVELOPMENT_SECRETS.github.value }) }, logger })
  }

  it('toNodeHandler() answers 500 body_already_parsed, naming express.json(), when a body parser read the body first', async () => {
    const inbox = newInbox()
    inbox.onError(() => {})
    try {
      const response = await deliverBehindJsonParser(inbox)
      const body = (await response.json()) as { code: string; error: string }
      expect([response.status, response.headers.get('webhook-inbox-status'), body.code]).toEqual([500, 'failed', 'body_already_parsed'])
      expect(body.error).toContain('before express.json()')
      expect(await inbox.list()).toEqual([])
    } finally {
      await inbox.shutdown()
    }
  })

  it('toNodeHandler() calls onError once with body_already_parsed when express.json() read the body first', async () => {
    const inbox = newInbox()
    const codes: string[] = []
    inbox.onError((error) => void codes.push(error.code))
    try {
      expect((await deliverBehindJsonParser(inbox)).status).toBe(500)
      expect(codes).toEqual(['body_already_parsed'])
      expect(inbox.metrics().deliveries).toEqual([{ provider: 'github', outcome: 'failed', code: 'body_already_parsed', count: 1 }])
    } finally {
      await inbox.shutdown()
    }
  })

  it('toNodeHandler() logs one error line with body_already_parsed when express.json() read the body first and no onError is registered', async () => {
    const lines: string[] = []
    const inbox = newInbox({ info: () => {}, warn: () => {}, error: (line) => void lines.push(line) })
    try {
      expect((await deliverBehindJsonParser(inbox)).status).toBe(500)
      expect(lines).toHaveLength(1)
      expect(JSON.parse(lines[0]!.replace('[webhook-inbox] ', ''))).toMatchObject({ code: 'body_already_parsed', status: 500 })
    } finally {
      await inbox.shutdown()
    }
  })
})
