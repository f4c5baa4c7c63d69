import Database from 'better-sqlite3'
import { once } from 'node:events'
import { createServer } from 'node:http'
import type { AddressInfo } from 'node:net'
import { describe, expect, it } from 'vitest'
import { clerk, github, resend, svix } from '../../providers/index.js'
import type { Io } from '../../src/cli/context.js'
import { run } from '../../src/cli/run.js'
import { createInbox } from '../../src/inbox.js'
import { toNodeHandler } from '../../src/node/index.js'
import { DEVELOPMENT_SECRETS, fixtureNames } from '../../src/testing/index.js'
import { signedDelivery } from '../helpers.js'
import { onCleanup, tempStore } from '../node-helpers.js'

// The CLI in this process, via run(argv, io), over the SQLite file of an inbox that also
// runs here; the CLI opens its own connection, as it would from another process.

function io(): Io & { stdout: string[]; stderr: string[] } {
  const stdout: string[] = []
  const stderr: string[] = []
  return { stdout, stderr, out: (line) => void stdout.push(line), err: (line) => void stderr.push(line), progress: () => {}, env: {} }
}

const secret = 'cli-run-secret'
const providers = { github: github({ secret }) }
const issue = (id: string) =>
  signedDelivery(providers.github, 'github', { body: JSON.stringify({ action: 'opened', issue: {} }), id, type: 'issues' })

describe('webhook-inbox CLI in-process over a live store', () => {
  it('webhook-inbox list and show exit 0 while another connection holds the write lock, and list prints no body', async () => {
    const { store, path } = tempStore()
    const inbox = createInbox({ store, providers })
    expect((await inbox.fetch(await issue('gh-locked'))).status).toBe(200)
    const writer = new Database(path)
    onCleanup(() => void writer.close())
    writer.exec('BEGIN IMMEDIATE')
    const listed = io()
    const listCode = await run(['list', '--db', path, '--json'], listed)
    const shown = io()
    const showCode = await run(['show', 'github', 'gh-locked', '--db', path, '--json'], shown)
    writer.exec('ROLLBACK')
    expect([listCode, listed.stderr]).toEqual([0, []])
    const row = JSON.parse(listed.stdout[0]!) as Record<string, unknown>
    expect(row).toMatchObject({ provider: 'github', eventId: 'gh-locked', status: 'processed' })
    expect(Object.keys(row)).not.toContain('body')
    expect([showCode, shown.stderr]).toEqual([0, []])
    expect(JSON.parse(shown.stdout[0]!)).toMatchObject({ eventId: 'gh-locked', body: '{"action":"opened","issue":{}}' })
  })

  it('webhook-inbox replay exits 1 with the handler error when the replayed run throws', async () => {
    const { store, path } = tempStore()
    const inbox = createInbox({ store, providers })
    inbox.onError(() => {})
    inbox.onAny((event) => {
      if (event.replay) throw new Error('replay broke')
    })
    expect((await inbox.fetch(await issue('gh-replay-fails'))).status).toBe(200)
    const sweeper = inbox.startSweeper({ intervalMs: 20 })
    onCleanup(() => sweeper.stop())
    const cli = io()
    // Before fail() settled the replay, this waited out --wait and exited 3.
    const code = await run(['replay', 'github', 'gh-replay-fails', '--db', path, '--wait', '10s'], cli)
    expect([code, cli.stdout, cli.stderr]).toEqual([1, ['replayed github gh-replay-fails: failed (Error: replay broke)'], []])
    expect(await store.get({ provider: 'github', eventId: 'gh-replay-fails' })).toMatchObject({ status: 'failed', replay: false, replays: 1 })
  })

  it('webhook-inbox retry exits 1 and names each event that failed again with its error', async () => {
    const { store, path } = tempStore()
    const inbox = createInbox({ store, providers })
    inbox.onError(() => {})
    inbox.onAny((event) => {
      if (event.id === 'gh-retry-bad') throw new Error('still broken')
    })
    const body = (id: string) => JSON.stringify({ action: 'opened', issue: { node_id: id } })
    expect((await inbox.fetch(await signedDelivery(providers.github, 'github', { body: body('gh-retry-bad'), id: 'gh-retry-bad', type: 'issues' }))).status).toBe(500)
    // One that failed once and now succeeds, so the CLI waits for a mix.
    const ok = await store.claim({ provider: 'github', eventId: 'gh-retry-ok2', type: 'issues.opened', body: body('gh-retry-ok2'), headers: {} }, { now: Date.now(), leaseMs: 1000 })
    expect(ok.outcome).toBe('claimed')
    await store.fail({ provider: 'github', eventId: 'gh-retry-ok2' }, 1, { error: 'once', nextAttemptAt: Date.now() + 3_600_000, now: Date.now() })
    const sweeper = inbox.startSweeper({ intervalMs: 20 })
    onCleanup(() => sweeper.stop())
    const cli = io()
    const code = await run(['retry', '--db', path, '--wait', '10s'], cli)
    expect(code).toBe(1)
    expect(cli.stdout).toContain('  github gh-retry-bad failed: Error: still broken')
    expect(cli.stdout.join('\n')).not.toContain('gh-retry-ok2 failed')
  })
})

describe('webhook-inbox send for the Standard Webhooks presets', () => {
  for (const name of ['svix', 'clerk', 'resend'] as const) {
    it(`webhook-inbox send ${name} <fixture> --dev is answered 200 processed by a ${name}() inbox on 127.0.0.1`, async () => {
      const { store } = tempStore()
      const factories = { svix, clerk, resend }
      const inbox = createInbox({ store, providers: { [name]: factories[name]({ secret: DEVELOPMENT_SECRETS[name].value }) } })
      const types: string[] = []
      inbox.onAny((event) => void types.push(event.type))
      const server = createServer(toNodeHandler(inbox)).listen(0, '127.0.0.1')
      await once(server, 'listening')
      onCleanup(() => new Promise<void>((resolve) => server.close(() => resolve())))
      const cli = io()
      const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/webhooks/${name}`
      const code = await run(['send', name, fixtureNames(name)[0]!, '--dev', '--url', url, '--json'], cli)
      expect([code, cli.stderr]).toEqual([0, []])
      expect(JSON.parse(cli.stdout[0]!)).toMatchObject({ status: 200, inboxStatus: 'processed' })
      expect(types).toEqual([fixtureNames(name)[0]])
    })
  }
})
