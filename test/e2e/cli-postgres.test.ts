import { describe, expect, it } from 'vitest'
import { github } from '../../providers/index.js'
import type { Io } from '../../src/cli/context.js'
import { run } from '../../src/cli/run.js'
import { withIdempotency } from '../../src/idempotency/index.js'
import { createInbox } from '../../src/inbox.js'
import { postgresStore } from '../../src/stores/postgres/index.js'
import { signedDelivery } from '../helpers.js'
import { onCleanup } from '../node-helpers.js'
import { dropAfterTest, freshSchema, PG_URL } from '../postgres-helpers.js'

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

describe.skipIf(!PG_URL)('webhook-inbox CLI over Postgres', () => {
  it('webhook-inbox migrate, then list, show, replay and purge work on a Postgres schema given by --db, DATABASE_URL and --schema', async () => {
    const schema = freshSchema('cli')
    dropAfterTest(schema)
    expect(await run(['migrate', '--db', PG_URL, '--schema', schema], io())).toBe(0)

    const store = postgresStore({ connectionString: PG_URL, schema, migrate: false })
    const secret = 'cli-pg'
    const inbox = createInbox({ store, providers: { github: github({ secret }) } })
    onCleanup(() => inbox.shutdown({ graceMs: 100 }))
    let runs = 0
    inbox.onAny(() => void runs++)
    const body = JSON.stringify({ action: 'opened', issue: {} })
    expect((await inbox.fetch(await signedDelivery(github({ secret }), 'github', { body, id: 'gh-pg-cli', type: 'issues' }))).status).toBe(200)

    // DATABASE_URL (postgres://) wins over WEBHOOK_INBOX_DB; --db would win over both.
    const listed = io({ DATABASE_URL: PG_URL, WEBHOOK_INBOX_DB: '/nonexistent/webhooks.db' })
    expect(await run(['list', '--schema', schema, '--json'], listed)).toBe(0)
    expect(JSON.parse(listed.stdout[0]!)).toMatchObject({ provider: 'github', eventId: 'gh-pg-cli', status: 'processed' })
    const shown = io()
    expect(await run(['show', 'github', 'gh-pg-cli', '--db', PG_URL, '--schema', schema, '--json'], shown)).toBe(0)
    expect(JSON.parse(shown.stdout.join('\n'))).toMatchObject({ eventId: 'gh-pg-cli', body })
    // The server's sweeper polls once a minute: the replay's NOTIFY is what wakes it in time.
    const sweeper = inbox.startSweeper({ intervalMs: 60_000 })
    onCleanup(() => sweeper.stop())
    const replayed = io({ GITHUB_WEBHOOK_SECRET: secret })
    expect(await run(['replay', 'github', 'gh-pg-cli', '--db', PG_URL, '--schema', schema, '--wait', '10s'], replayed)).toBe(0)
    expect(runs).toBe(2)
    expect(await run(['purge', '--older-than', '0s', '--db', PG_URL, '--schema', schema, '--json'], io())).toBe(0)
    expect(await store.list()).toEqual([])
  })

  it('webhook-inbox keys list, show and purge work on the idempotency keys of a Postgres schema', async () => {
    const schema = freshSchema('cli_keys')
    dropAfterTest(schema)
    expect(await run(['migrate', '--db', PG_URL, '--schema', schema], io())).toBe(0)
    const store = postgresStore({ connectionString: PG_URL, schema, migrate: false })
    onCleanup(() => store.close())
    const handler = withIdempotency({ store, scope: () => 'acct_1' })(async () => new Response('{"id":"ord_1"}', { status: 201, headers: { 'content-type': 'application/json' } }))
    await handler(new Request('https://api.test/orders', { method: 'POST', body: '{}', headers: { 'idempotency-key': 'pg-paid' } }))

    const db = ['--db', PG_URL, '--schema', schema, '--json']
    const listed = io()
    expect(await run(['keys', 'list', ...db], listed)).toBe(0)
    expect(listed.stdout.map((line) => JSON.parse(line) as object)).toEqual([expect.objectContaining({ scope: 'acct_1', key: 'pg-paid', status: 'completed', responseStatus: 201 })])
    const shown = io()
    expect(await run(['keys', 'show', 'pg-paid', '--scope', 'acct_1', ...db], shown)).toBe(0)
    expect(JSON.parse(shown.stdout[0]!)).toMatchObject({ key: 'pg-paid', response: { status: 201, body: '{"id":"ord_1"}' } })
    const purged = io()
    expect(await run(['keys', 'purge', ...db], purged)).toBe(0)
    expect(purged.stdout).toEqual(['{"deleted":0}'])
    expect(await store.keys.list()).toHaveLength(1)
  })
})
