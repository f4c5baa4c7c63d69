import { execFile } from 'node:child_process'
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { ledgerLines, type Server, startServer } from './processes.js'

interface Result {
  code: number
  stdout: string
  stderr: string
}

describe('webhook-inbox CLI against a real server on 127.0.0.1', () => {
  let dir: string
  let server: Server
  const paths = () => ({ db: join(dir, 'webhooks.db'), ledger: join(dir, 'ledger.txt'), fail: join(dir, 'fail-now') })
  const env = () => ({ ...process.env, WEBHOOK_INBOX_DB: paths().db, PORT: String(server.port), STRIPE_WEBHOOK_SECRET: 'whsec_ledger', GITHUB_WEBHOOK_SECRET: 'ledger-secret' })

  function cli(args: string[], extraEnv: Record<string, string | undefined> = {}): Promise<Result> {
    return new Promise((resolve) => {
      execFile(
        process.execPath,
        ['--import', 'tsx', 'src/cli/index.ts', ...args],
        { env: { ...env(), ...extraEnv }, timeout: 60_000 },
        (error, stdout, stderr) => resolve({ code: error ? Number(error.code ?? 1) : 0, stdout, stderr }),
      )
    })
  }

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'webhook-inbox-cli-'))
    server = await startServer({ WEBHOOK_INBOX_DB: paths().db, LEDGER: paths().ledger, FAIL_WHILE_EXISTS: paths().fail, MAX_ATTEMPTS: '1' })
  })

  afterAll(() => {
    if (server.child.exitCode === null) server.child.kill('SIGKILL')
    rmSync(dir, { recursive: true, force: true })
  })

  const EVENT = 'evt_3MtwBwLkdIwHu7ix0ZzQ0v3F'

  it('send --id → processed and stored, send --id again → duplicate, replay → the handler runs again as a replay', async () => {
    const first = await cli(['send', 'stripe', 'payment_intent.succeeded', '--id', EVENT])
    expect([first.code, first.stdout.split('\n')[0]]).toEqual([0, '200 processed stripe payment_intent.succeeded'])

    const listed = await cli(['list', '--provider', 'stripe', '--json'])
    expect(listed.code).toBe(0)
    expect(JSON.parse(listed.stdout.trim())).toMatchObject({ provider: 'stripe', eventId: EVENT, status: 'processed', fence: 1 })

    const again = await cli(['send', 'stripe', 'payment_intent.succeeded', '--id', EVENT])
    expect([again.code, again.stdout.split('\n')[0]]).toEqual([0, '200 duplicate stripe payment_intent.succeeded'])

    const replayed = await cli(['replay', 'stripe', EVENT, '--wait', '20s'])
    expect([replayed.code, replayed.stdout.trim()]).toEqual([0, `replayed stripe ${EVENT}: processed`])
    expect(ledgerLines(paths().ledger, 'done', EVENT).map((line) => line.split(' ')[4])).toEqual(['delivery', 'replay'])

    const shown = await cli(['show', 'stripe', EVENT, '--json'])
    expect(JSON.parse(shown.stdout)).toMatchObject({ replays: 1, replay: false, status: 'processed' })
    // Five CLI processes, each starting tsx: on a loaded machine that alone takes more than the default 20 s.
  }, 60_000)

  it('send without --id sends a new event each call: two sends of one GitHub fixture are both answered 200 processed and stored as two events', async () => {
    const sends = [await cli(['send', 'github', 'push']), await cli(['send', 'github', 'push'])]
    expect(sends.map((r) => [r.code, r.stdout.split('\n')[0]])).toEqual([
      [0, '200 processed github push'],
      [0, '200 processed github push'],
    ])
    const listed = (await cli(['list', '--provider', 'github', '--json'])).stdout.trim().split('\n')
    expect(listed.map((line) => (JSON.parse(line) as { status: string }).status)).toEqual(['processed', 'processed'])
  }, 60_000)

  it('replay --url re-signs the stored body and POSTs it: the server answers duplicate', async () => {
    const result = await cli(['replay', 'stripe', EVENT, '--url', `http://127.0.0.1:${server.port}/webhooks/stripe`])
    expect([result.code, result.stdout.split('\n')[0]]).toEqual([0, `200 duplicate stripe ${EVENT} (re-sent)`])
  })

  it('retry --dead runs dead-lettered events again once their handler is fixed, and reports them processed', async () => {
    writeFileSync(paths().fail, '')
    const failed = await cli(['send', 'github', 'push', '--id', 'gh-cli-dead'])
    expect(failed.code).toBe(1)
    expect(JSON.parse((await cli(['show', 'github', 'gh-cli-dead', '--json'])).stdout)).toMatchObject({ status: 'dead' })
    rmSync(paths().fail)
    const retried = await cli(['retry', '--dead', '--wait', '20s', '--json'])
    expect(retried.code).toBe(0)
    expect(JSON.parse(retried.stdout)).toEqual({ status: 'dead', requeued: 1, watched: 1, processed: 1, stale: 0, failed: 0, failures: [] })
  })

  it('purge --older-than 0s deletes processed events and keeps the rest', async () => {
    const result = await cli(['purge', '--older-than', '0s', '--json'])
    expect(result.code).toBe(0)
    expect(JSON.parse(result.stdout).deleted).toBeGreaterThanOrEqual(2)
    expect((await cli(['list', '--json'])).stdout.trim()).toBe('')
  })

  const bad: [string, string[], Record<string, string | undefined>, RegExp][] = [
    ['an unknown provider', ['send', 'paypal', 'payment.captured'], {}, /unknown provider "paypal"/],
    ['a missing secret', ['send', 'stripe', 'payment_intent.succeeded'], { STRIPE_WEBHOOK_SECRET: undefined }, /no signing secret/],
    ['an unreadable file', ['send', 'stripe', 'missing.json'], {}, /neither a stripe fixture .* nor a readable file \(ENOENT\)/],
    ['a bad duration', ['purge', '--older-than', '30 days'], {}, /not a duration/],
    ['a GitHub file without --type', ['send', 'github', 'package.json'], {}, /needs --type/],
    ['no command at all', [], {}, /missing command/],
    ['an unknown flag', ['list', '--colour'], {}, /Unknown option '--colour'/],
    ['a missing database', ['list'], { WEBHOOK_INBOX_DB: '/nonexistent/webhooks.db' }, /no database at \/nonexistent\/webhooks.db/],
  ]
  for (const [what, args, extraEnv, reason] of bad) {
    it(`exits 2 with a one-line reason for ${what}`, async () => {
      const result = await cli(args, extraEnv)
      expect(result.code).toBe(2)
      expect(result.stderr.trim().split('\n')).toHaveLength(1)
      expect(result.stderr).toMatch(reason)
    })
  }

  it('prints usage with examples for --help and exits 0', async () => {
    const result = await cli(['--help'])
    expect(result.code).toBe(0)
    expect(result.stdout).toContain('Examples:')
    expect((await cli(['replay', '--help'])).stdout).toContain('webhook-inbox replay <provider> <id>')
  })
})
