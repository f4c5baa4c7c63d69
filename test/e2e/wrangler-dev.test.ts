import { type ChildProcess, execFile, spawn } from 'node:child_process'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { promisify } from 'node:util'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { PROVIDER_NAMES } from '../../examples/provider-secrets.js'
import { stripe } from '../../providers/stripe.js'
import { DEVELOPMENT_SECRETS } from '../../src/testing/development-secrets.js'
import { freePort } from '../free-port.js'
import { waitFor } from '../helpers.js'
import { sendEveryProvider } from './processes.js'

const WRANGLER = join('node_modules', 'wrangler', 'bin', 'wrangler.js')
const env = { ...process.env, CI: 'true', WRANGLER_SEND_METRICS: 'false', NO_COLOR: '1' }
const run = promisify(execFile)

// docs/deploying.md's local Worker: `wrangler d1 migrations apply --local`, then `wrangler dev --local`.
describe('examples/worker.ts under wrangler dev --local on 127.0.0.1', () => {
  let dir: string
  let dev: ChildProcess
  let url: string
  let log = ''
  const persist = () => ['--persist-to', join(dir, 'state')]

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'webhook-inbox-wrangler-'))
    await run(process.execPath, [WRANGLER, 'd1', 'migrations', 'apply', 'DB', '--local', ...persist()], { env, timeout: 60_000 })
    const port = await freePort()
    url = `http://127.0.0.1:${port}`
    // The development secrets exactly as docs/deploying.md has users copy them into .dev.vars.
    const secrets = ['--env-file', '.dev.vars.example']
    dev = spawn(
      process.execPath,
      [WRANGLER, 'dev', '--local', '--ip', '127.0.0.1', '--port', String(port), '--show-interactive-dev-session=false', ...persist(), ...secrets],
      { env, detached: true, stdio: ['ignore', 'pipe', 'pipe'] },
    )
    dev.stdout!.on('data', (chunk: Buffer) => (log += chunk.toString()))
    dev.stderr!.on('data', (chunk: Buffer) => (log += chunk.toString()))
    await waitFor(() => log.includes('Ready on'), 60_000, `wrangler dev to start:\n${log}`)
  }, 120_000)

  afterAll(async () => {
    if (dev?.pid !== undefined && dev.exitCode === null) {
      // wrangler runs workerd as a child; end the whole group.
      process.kill(-dev.pid, 'SIGTERM')
      await new Promise((resolve) => dev.once('exit', resolve))
    }
    rmSync(dir, { recursive: true, force: true })
  }, 30_000)

  const signer = stripe({ secret: DEVELOPMENT_SECRETS.stripe.value })
  const body = JSON.stringify({ id: 'evt_wrangler_smoke', object: 'event', type: 'payment_intent.succeeded', data: { object: { id: 'pi_s', amount: 5, currency: 'eur' } } })

  it('answers a signed Stripe event 202 queued, runs its handler, then answers its redelivery 200 duplicate', async () => {
    const headers = await signer.sign({ body })
    const first = await fetch(`${url}/webhooks/stripe`, { method: 'POST', headers, body })
    expect([first.status, first.headers.get('webhook-inbox-status')]).toEqual([202, 'queued'])
    await waitFor(() => log.includes('stripe evt_wrangler_smoke: payment pi_s succeeded, 5 eur'), 15_000, 'the queued run')
    const again = await fetch(`${url}/webhooks/stripe`, { method: 'POST', headers, body })
    expect([again.status, again.headers.get('webhook-inbox-status')]).toEqual([200, 'duplicate'])
  })

  it("npm run send -- <provider> exits 0 after 202 queued, then a 2xx redelivery, for every built-in provider, and the Worker logs each handler's line", async () => {
    const sent = await sendEveryProvider(Number(new URL(url).port), () => log)
    expect(sent.map(({ provider, code, stdout, handled }) => ({ provider, code, stdout, handled }))).toEqual(
      PROVIDER_NAMES.map((provider) => ({
        provider,
        code: 0,
        stdout: expect.stringMatching(/first delivery: 202 .*"queued"[\s\S]*redelivery: 20\d /),
        handled: true,
      })),
    )
  }, 60_000)

  it('answers a Stripe event signed with another secret 401', async () => {
    const forged = { body: body.replace('evt_wrangler_smoke', 'evt_wrangler_forged') }
    const headers = await stripe({ secret: 'whsec_forged' }).sign(forged)
    expect((await fetch(`${url}/webhooks/stripe`, { method: 'POST', headers, body: forged.body })).status).toBe(401)
  })

  it('leaves one processed row per event (the forged one none), as `wrangler d1 execute --local` reads them back', async () => {
    const query = "SELECT provider, event_id = 'evt_wrangler_smoke' AS smoke, status, attempts FROM webhook_events ORDER BY provider, smoke"
    const { stdout } = await run(process.execPath, [WRANGLER, 'd1', 'execute', 'DB', '--local', ...persist(), '--json', '--command', query], { env, timeout: 60_000 })
    const [result] = JSON.parse(stdout) as [{ results: unknown[] }]
    const sent = PROVIDER_NAMES.map((provider) => ({ provider, smoke: 0, status: 'processed', attempts: 1 }))
    const smoke = { provider: 'stripe', smoke: 1, status: 'processed', attempts: 1 }
    expect(result.results).toEqual([...sent, smoke].sort((a, b) => a.provider.localeCompare(b.provider) || a.smoke - b.smoke))
  })
})
