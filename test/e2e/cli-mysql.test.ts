import { describe, expect, it } from 'vitest'
import { github } from '../../providers/index.js'
import type { Io } from '../../src/cli/context.js'
import { run } from '../../src/cli/run.js'
import { withIdempotency } from '../../src/idempotency/index.js'
import { createInbox } from '../../src/inbox.js'
import { mysqlStore } from '../../src/stores/mysql/index.js'
import { NOW, signedDelivery } from '../helpers.js'
import { createDatabase, MYSQL_URL } from '../mysql-helpers.js'
import { onCleanup } from '../node-helpers.js'

function io(env: NodeJS.ProcessEnv = {}): Io & { stdout: string[]; stderr: string[] } {
  const stdout: string[] = []
  const stderr: string[] = []
  return { stdout, stderr, out: (line) => void stdout.push(line), err: (line) => void stderr.push(line), progress: () => {}, env }
}

describe.skipIf(!MYSQL_URL)('webhook-inbox CLI over MySQL', () => {
  it('webhook-inbox migrate, then list, show, replay, retry and purge work on a MySQL database given by --db and DATABASE_URL', async () => {
    const { url } = await createDatabase('cli')
    expect(await run(['migrate', '--db', url], io())).toBe(0)

    const store = mysqlStore({ uri: url, migrate: false })
    const secret = 'cli-mysql'
    const inbox = createInbox({ store, providers: { github: github({ secret }) } })
    onCleanup(() => inbox.shutdown({ graceMs: 100 }))
    let runs = 0
    inbox.onAny(() => void runs++)
    const body = JSON.stringify({ action: 'opened', issue: {} })
    expect((await inbox.fetch(await signedDelivery(github({ secret }), 'github', { body, id: 'gh-my-cli', type: 'issues' }))).status).toBe(200)
    await store.claim({ provider: 'github', eventId: 'gh-my-dead', type: 'issues', body: '{}', headers: {} }, { now: NOW, leaseMs: 1000 })
    await store.fail({ provider: 'github', eventId: 'gh-my-dead' }, 1, { error: 'boom', nextAttemptAt: null, now: NOW })

    // DATABASE_URL (mysql://) wins over WEBHOOK_INBOX_DB.
    const listed = io({ DATABASE_URL: url, WEBHOOK_INBOX_DB: '/nonexistent/webhooks.db' })
    expect(await run(['list', '--status', 'processed', '--json'], listed)).toBe(0)
    expect(listed.stdout.map((line) => JSON.parse(line) as object)).toEqual([expect.objectContaining({ provider: 'github', eventId: 'gh-my-cli', status: 'processed' })])
    const shown = io()
    expect(await run(['show', 'github', 'gh-my-cli', '--db', url, '--json'], shown)).toBe(0)
    expect(JSON.parse(shown.stdout.join('\n'))).toMatchObject({ eventId: 'gh-my-cli', body })
    // No NOTIFY on MySQL: the server's sweeper finds the replay by polling.
    const sweeper = inbox.startSweeper({ intervalMs: 100 })
    onCleanup(() => sweeper.stop())
    expect(await run(['replay', 'github', 'gh-my-cli', '--db', url, '--wait', '10s'], io({ GITHUB_WEBHOOK_SECRET: secret }))).toBe(0)
    expect(runs).toBe(2)
    expect(await run(['retry', '--dead', '--db', url, '--wait', '10s'], io())).toBe(0)
    expect(await store.get({ provider: 'github', eventId: 'gh-my-dead' })).toMatchObject({ status: 'processed' })
    expect(await run(['purge', '--older-than', '0s', '--status', 'processed', '--db', url, '--json'], io())).toBe(0)
    expect((await store.list()).map((e) => e.eventId)).not.toContain('gh-my-cli')
  })

  it('webhook-inbox keys list, show and purge work on the idempotency keys of a MySQL database', async () => {
    const { url } = await createDatabase('cli_keys')
    expect(await run(['migrate', '--db', url], io())).toBe(0)
    const store = mysqlStore({ uri: url, migrate: false })
    onCleanup(() => store.close())
    const handler = withIdempotency({ store, scope: () => 'acct_1' })(async () => new Response('{"id":"ord_1"}', { status: 201, headers: { 'content-type': 'application/json' } }))
    await handler(new Request('https://api.test/orders', { method: 'POST', body: '{}', headers: { 'idempotency-key': 'my-paid' } }))

    const db = ['--db', url, '--json']
    const listed = io()
    expect(await run(['keys', 'list', ...db], listed)).toBe(0)
    expect(listed.stdout.map((line) => JSON.parse(line) as object)).toEqual([expect.objectContaining({ scope: 'acct_1', key: 'my-paid', status: 'completed', responseStatus: 201 })])
    const shown = io()
    expect(await run(['keys', 'show', 'my-paid', '--scope', 'acct_1', ...db], shown)).toBe(0)
    expect(JSON.parse(shown.stdout[0]!)).toMatchObject({ key: 'my-paid', response: { status: 201, body: '{"id":"ord_1"}' } })
    const purged = io()
    expect(await run(['keys', 'purge', ...db], purged)).toBe(0)
    expect(purged.stdout).toEqual(['{"deleted":0}'])
  })

  it('webhook-inbox list on an unreachable mysql:// URL exits 1 with one line naming host, port and database, never the password', async () => {
    const out = io()
    const code = await run(['list', '--db', 'mysql://inbox:s3cret/pw@127.0.0.1:1/webhooks'], out)
    expect(code).toBe(1)
    expect(out.stderr).toHaveLength(1)
    expect(out.stderr[0]).toContain('127.0.0.1:1/webhooks')
    expect(out.stderr[0]).not.toContain('s3cret')
  })
})
