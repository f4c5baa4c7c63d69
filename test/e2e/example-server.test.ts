import Database from 'better-sqlite3'
import { type ChildProcess, execFile, spawn } from 'node:child_process'
import { mkdtempSync, rmSync } from 'node:fs'
import { createServer } from 'node:http'
import type { AddressInfo } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { promisify } from 'node:util'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { github, razorpay, slack, stripe } from '../../providers/index.js'
import { PROVIDER_NAMES } from '../../examples/provider-secrets.js'
import type { Provider, SignInput } from '../../src/provider.js'
import { DEVELOPMENT_SECRETS } from '../../src/testing/development-secrets.js'
import { waitFor } from '../helpers.js'
import { sendEveryProvider, sendTestEvent } from './processes.js'

const variables = Object.values(DEVELOPMENT_SECRETS).map(({ variable }) => variable)

// `npm start` as docs/development.md describes it: the example server on a real port
// over a real SQLite file, with the development secrets it prints.
describe('examples/node.ts (npm start) on 127.0.0.1', () => {
  let child: ChildProcess
  let base: string
  let dir: string
  let output = ''

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'webhook-inbox-example-'))
    const env: NodeJS.ProcessEnv = { ...process.env, PORT: '0', WEBHOOK_INBOX_DB: join(dir, 'webhooks.db') }
    for (const name of ['DATABASE_URL', ...variables]) delete env[name]
    child = spawn(process.execPath, ['--import', 'tsx', 'examples/node.ts'], { env, stdio: ['ignore', 'pipe', 'pipe'] })
    base = await new Promise<string>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`example did not start:\n${output}`)), 15_000)
      const read = (chunk: Buffer) => {
        output += chunk.toString()
        const match = /listening on (http:\/\/127\.0\.0\.1:\d+)/.exec(output)
        if (match && variables.every((variable) => output.includes(`${variable}=`))) {
          clearTimeout(timer)
          resolve(match[1]!)
        }
      }
      child.stdout!.on('data', read)
      child.stderr!.on('data', read)
      child.once('exit', (code) => reject(new Error(`example exited with ${code}:\n${output}`)))
    })
  })

  afterAll(() => {
    if (child.exitCode === null) child.kill('SIGKILL')
    rmSync(dir, { recursive: true, force: true })
  })

  /** Runs an example script to its end: its exit code and both outputs. */
  async function runExample(script: string, args: string[], env: NodeJS.ProcessEnv) {
    try {
      const { stdout, stderr } = await promisify(execFile)(process.execPath, ['--import', 'tsx', script, ...args], { env: { ...process.env, ...env } })
      return { code: 0, stdout, stderr }
    } catch (error) {
      const { code, stdout, stderr } = error as { code: number; stdout: string; stderr: string }
      return { code, stdout, stderr }
    }
  }
  const port = () => new URL(base).port

  function devSecret(variable: string) {
    return new RegExp(`${variable}=(\\S+)`).exec(output)![1]!
  }

  const cases: [string, () => Provider, SignInput][] = [
    [
      'stripe',
      () => stripe({ secret: devSecret('STRIPE_WEBHOOK_SECRET') }),
      { body: JSON.stringify({ id: 'evt_e2e', object: 'event', type: 'payment_intent.succeeded', data: { object: { id: 'pi_1', amount: 5, currency: 'eur' } } }) },
    ],
    [
      'github',
      () => github({ secret: devSecret('GITHUB_WEBHOOK_SECRET') }),
      { id: 'gh-e2e', type: 'push', body: JSON.stringify({ ref: 'refs/heads/main', before: '0000000', after: '1111111', commits: [{}, {}] }) },
    ],
    [
      'slack',
      () => slack({ secret: devSecret('SLACK_SIGNING_SECRET') }),
      { body: JSON.stringify({ type: 'event_callback', event_id: 'Ev_e2e', team_id: 'T9', event: { type: 'app_mention' } }) },
    ],
    [
      'razorpay',
      () => razorpay({ secret: devSecret('RAZORPAY_WEBHOOK_SECRET') }),
      { id: 'rzp-e2e', body: JSON.stringify({ event: 'payment.captured', payload: { payment: { entity: { id: 'pay_9' } } } }) },
    ],
  ]

  for (const [name, provider, input] of cases) {
    it(`POST /webhooks/${name} answers 200 processed, then 200 duplicate to the same signed delivery`, async () => {
      const headers = await provider().sign(input)
      const first = await fetch(`${base}/webhooks/${name}`, { method: 'POST', headers, body: input.body })
      const second = await fetch(`${base}/webhooks/${name}`, { method: 'POST', headers, body: input.body })
      expect([first.status, first.headers.get('webhook-inbox-status')]).toEqual([200, 'processed'])
      expect([second.status, second.headers.get('webhook-inbox-status')]).toEqual([200, 'duplicate'])
    })
  }

  it('the example logged each handled event and stored one processed row per event in $WEBHOOK_INBOX_DB', async () => {
    const stripeLine = 'stripe evt_e2e: payment pi_1 succeeded, 5 eur'
    const githubLine = 'github gh-e2e: push of 2 commit(s) to refs/heads/main'
    await waitFor(() => output.includes(stripeLine) && output.includes(githubLine), 10_000, "the handlers' lines in the example's output")
    expect(output).toContain(stripeLine)
    expect(output).toContain(githubLine)
    const db = new Database(join(dir, 'webhooks.db'), { readonly: true })
    const rows = db.prepare('select provider, event_id as id, status from webhook_events order by provider').all()
    db.close()
    expect(rows).toEqual([
      { provider: 'github', id: 'gh-e2e', status: 'processed' },
      { provider: 'razorpay', id: 'rzp-e2e', status: 'processed' },
      { provider: 'slack', id: 'Ev_e2e', status: 'processed' },
      { provider: 'stripe', id: 'evt_e2e', status: 'processed' },
    ])
  })

  it('POST /webhooks/stripe with a wrong signature answers 401 and the example keeps serving', async () => {
    const input = { body: JSON.stringify({ id: 'evt_forged', object: 'event', type: 'charge.succeeded' }) }
    const headers = await stripe({ secret: 'whsec_not_the_one' }).sign(input)
    const response = await fetch(`${base}/webhooks/stripe`, { method: 'POST', headers, body: input.body })
    expect(response.status).toBe(401)
    expect((await fetch(`${base}/`)).status).toBe(200)
  })

  it('npm run send -- <provider> (examples/send-test-event.ts) exits 0 after 200 processed, then 200 duplicate, for every built-in provider, and the example prints each handler\'s line', async () => {
    const sent = await sendEveryProvider(Number(port()), () => output)
    expect(sent.map(({ provider, code, stdout, handled }) => ({ provider, code, stdout, handled }))).toEqual(
      PROVIDER_NAMES.map((provider) => ({
        provider,
        code: 0,
        stdout: expect.stringMatching(/first delivery: 200 .*"processed"[\s\S]*redelivery: 200 .*"duplicate"/),
        handled: true,
      })),
    )
  }, 60_000)

  it('the first example of `webhook-inbox --help` (send … --dev) is answered 200 processed by npm start', async () => {
    const help = await runExample('src/cli/index.ts', ['--help'], {})
    const example = help.stdout.split('Examples:\n')[1]?.split('\n')[0]?.trim() ?? ''
    expect(example).toMatch(/^webhook-inbox send /)
    const sent = await runExample('src/cli/index.ts', example.split(/\s+/).slice(1), { PORT: port() })
    expect([sent.code, sent.stdout.split('\n')[0]]).toEqual([0, expect.stringMatching(/^200 processed /)])
  })

  it('a second npm start on the busy port exits 1 with one line naming EADDRINUSE, not a stack trace', async () => {
    const second = await runExample('examples/node.ts', [], { PORT: port(), WEBHOOK_INBOX_DB: join(dir, 'second.db') })
    expect(second.code).toBe(1)
    expect(second.stderr.trim().split('\n')).toEqual([expect.stringContaining('EADDRINUSE')])
  })

  it('the example exits 0 on SIGTERM after closing its server and store', async () => {
    const exited = new Promise<number | null>((resolve) => child.once('exit', resolve))
    child.kill('SIGTERM')
    expect(await exited).toBe(0)
  })

  it('npm run send with no server listening exits 1 with one line naming ECONNREFUSED and the address, not npm start', async () => {
    const sent = await sendTestEvent('stripe', Number(port()))
    expect(sent.code).toBe(1)
    expect(sent.stderr.trim().split('\n')).toEqual([`cannot reach ${base}/webhooks/stripe (ECONNREFUSED): is the server at ${base} running?`])
  })
})

// A server that is not the example (or an example without the provider) refuses the event:
// send must fail, so a script or CI step that runs it stops there.
describe('examples/send-test-event.ts against a server on 127.0.0.1 that refuses the event', () => {
  const refusals: [status: number, body: object, line: (base: string) => string][] = [
    [404, { ok: false, status: 'rejected', code: 'unknown_provider' }, (base) => `the server at ${base} has no provider "shopify"`],
    [
      401,
      { ok: false, status: 'rejected', code: 'signature_mismatch' },
      (base) => `the server at ${base} rejected the signature: it needs the SHOPIFY_API_SECRET send signed with (the development one, as in .dev.vars.example)`,
    ],
    [503, { ok: false, status: 'failed', code: 'store_unavailable' }, (base) => `the server at ${base} answered 503 store_unavailable, not 2xx`],
  ]

  for (const [status, body, line] of refusals) {
    it(`npm run send -- shopify exits 1 after one delivery answered ${status}, with one line saying why and no npm start`, async () => {
      let requests = 0
      const server = createServer((_request, response) => {
        requests++
        response.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(body))
      })
      await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
      try {
        const { port } = server.address() as AddressInfo
        const sent = await sendTestEvent('shopify', port)
        expect([sent.code, requests, sent.stderr.trim().split('\n')]).toEqual([1, 1, [line(`http://127.0.0.1:${port}`)]])
        expect(sent.stdout).toContain(`first delivery: ${status} `)
      } finally {
        server.close()
      }
    })
  }
})
