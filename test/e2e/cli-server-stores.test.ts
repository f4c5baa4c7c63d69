import { describe, expect, it } from 'vitest'
import { github } from '../../providers/index.js'
import type { Io } from '../../src/cli/context.js'
import { run } from '../../src/cli/run.js'
import { withIdempotency } from '../../src/idempotency/index.js'
import { createInbox } from '../../src/inbox.js'
import { NOW, signedDelivery } from '../helpers.js'
import { onCleanup } from '../node-helpers.js'
import { describeEachServer } from '../server-stores.js'

function io(env: NodeJS.ProcessEnv = {}): Io & { stdout: string[]; stderr: string[] } {
  const stdout: string[] = []
  const stderr: string[] = []
  return { stdout, stderr, out: (line) => void stdout.push(line), err: (line) => void stderr.push(line), progress: () => {}, env }
}

describe('webhook-inbox CLI database selection', () => {
  it('webhook-inbox list ignores a DATABASE_URL that is not postgres:// with one line naming only its scheme, and falls back to WEBHOOK_INBOX_DB', async () => {
    const out = io({ DATABASE_URL: 'file:./secret-name.db', WEBHOOK_INBOX_DB: '/nonexistent/webhooks.db' })
    expect(await run(['list'], out)).toBe(2)
    expect(out.stderr[0]).toBe('ignoring DATABASE_URL: its scheme (file:) is not postgres://, postgresql:// or mysql://')
    expect(out.stderr[1]).toMatch(/no database at \/nonexistent\/webhooks.db/)
    expect(out.stderr.join('\n')).not.toContain('secret-name')
  })

  it('webhook-inbox migrate exits 2 without a Postgres or MySQL URL', async () => {
    const out = io({ WEBHOOK_INBOX_DB: 'webhooks.db' })
    expect(await run(['migrate'], out)).toBe(2)
    expect(out.stderr).toEqual(['webhook-inbox migrate: needs a Postgres or MySQL URL: pass --db postgres://… or mysql://…, or set DATABASE_URL'])
  })
})

describeEachServer('webhook-inbox CLI over a server store', (dialect) => {
  it('webhook-inbox migrate, then list, show, replay, retry and purge work on the place given by --db (and --schema) and DATABASE_URL', async () => {
    const place = await dialect.fresh('cli')
    expect(await run(['migrate', '--db', place.url, ...place.cliFlags], io())).toBe(0)

    const store = place.open({ migrate: false })
    const secret = 'cli-secret'
    const inbox = createInbox({ store, providers: { github: github({ secret }) } })
    let runs = 0
    inbox.onAny(() => void runs++)
    const body = JSON.stringify({ action: 'opened', issue: {} })
    expect((await inbox.fetch(await signedDelivery(github({ secret }), 'github', { body, id: 'gh-cli', type: 'issues' }))).status).toBe(200)
    await store.claim({ provider: 'github', eventId: 'gh-dead', type: 'issues', body: '{}', headers: {} }, { now: NOW, leaseMs: 1000 })
    await store.fail({ provider: 'github', eventId: 'gh-dead' }, 1, { error: 'boom', nextAttemptAt: null, now: NOW })

    // DATABASE_URL wins over WEBHOOK_INBOX_DB; --db would win over both.
    const listed = io({ DATABASE_URL: place.url, WEBHOOK_INBOX_DB: '/nonexistent/webhooks.db' })
    expect(await run(['list', ...place.cliFlags, '--status', 'processed', '--json'], listed)).toBe(0)
    expect(listed.stdout.map((line) => JSON.parse(line) as object)).toEqual([expect.objectContaining({ provider: 'github', eventId: 'gh-cli', status: 'processed' })])
    const db = ['--db', place.url, ...place.cliFlags]
    const shown = io()
    expect(await run(['show', 'github', 'gh-cli', ...db, '--json'], shown)).toBe(0)
    expect(JSON.parse(shown.stdout.join('\n'))).toMatchObject({ eventId: 'gh-cli', body })
    // With NOTIFY the sweeper polls once a minute and the replay's NOTIFY wakes it in time;
    // without, it finds the replay by polling.
    const sweeper = inbox.startSweeper({ intervalMs: dialect.notifies ? 60_000 : 100 })
    onCleanup(() => sweeper.stop())
    expect(await run(['replay', 'github', 'gh-cli', ...db, '--wait', '10s'], io({ GITHUB_WEBHOOK_SECRET: secret }))).toBe(0)
    expect(runs).toBe(2)
    expect(await run(['retry', '--dead', ...db, '--wait', '10s'], io())).toBe(0)
    expect(await store.get({ provider: 'github', eventId: 'gh-dead' })).toMatchObject({ status: 'processed' })
    expect(await run(['purge', '--older-than', '0s', '--status', 'processed', ...db, '--json'], io())).toBe(0)
    expect(await store.list()).toEqual([])
  })

  it('webhook-inbox keys list, show and purge work on the idempotency keys of the place given by --db (and --schema)', async () => {
    const place = await dialect.fresh('cli_keys')
    expect(await run(['migrate', '--db', place.url, ...place.cliFlags], io())).toBe(0)
    const store = place.open({ migrate: false })
    const handler = withIdempotency({ store, scope: () => 'acct_1' })(async () => new Response('{"id":"ord_1"}', { status: 201, headers: { 'content-type': 'application/json' } }))
    await handler(new Request('https://api.test/orders', { method: 'POST', body: '{}', headers: { 'idempotency-key': 'paid' } }))

    const db = ['--db', place.url, ...place.cliFlags, '--json']
    const listed = io()
    expect(await run(['keys', 'list', ...db], listed)).toBe(0)
    expect(listed.stdout.map((line) => JSON.parse(line) as object)).toEqual([expect.objectContaining({ scope: 'acct_1', key: 'paid', status: 'completed', responseStatus: 201 })])
    const shown = io()
    expect(await run(['keys', 'show', 'paid', '--scope', 'acct_1', ...db], shown)).toBe(0)
    expect(JSON.parse(shown.stdout[0]!)).toMatchObject({ key: 'paid', response: { status: 201, body: '{"id":"ord_1"}' } })
    const purged = io()
    expect(await run(['keys', 'purge', ...db], purged)).toBe(0)
    expect(purged.stdout).toEqual(['{"deleted":0}'])
    expect(await store.keys.list()).toHaveLength(1)
  })

  it('webhook-inbox list on an unreachable server URL exits 1 with one line naming host, port and database, never the password', async () => {
    const out = io()
    const scheme = new URL(dialect.url).protocol
    expect(await run(['list', '--db', `${scheme}//inbox:s3cret-pw@127.0.0.1:1/webhooks`], out)).toBe(1)
    expect(out.stderr).toHaveLength(1)
    expect(out.stderr[0]).toContain('127.0.0.1:1/webhooks')
    expect(out.stderr[0]).not.toContain('s3cret')
  })
})
