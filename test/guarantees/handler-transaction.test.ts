import { sql } from 'drizzle-orm'
import { describe, expect, it } from 'vitest'
import { github } from '../../providers/index.js'
import { createInbox } from '../../src/inbox.js'
import { WebhookError } from '../../src/errors.js'
import { type SqliteStore, sqliteStore } from '../../src/stores/sqlite/index.js'
import { NOW, signedDelivery } from '../helpers.js'
import { onCleanup, tempStore } from '../node-helpers.js'

const providers = { github: github({ secret: 'tx-secret' }) }
const issue = (id: string) =>
  signedDelivery(providers.github, 'github', { body: JSON.stringify({ action: 'opened', issue: { node_id: id } }), id, type: 'issues' })

function setup() {
  const { store } = tempStore()
  store.database.exec('CREATE TABLE effects (event_id TEXT NOT NULL, handler TEXT NOT NULL)')
  const inbox = createInbox({ store, providers, now: () => NOW, mode: 'inline' })
  const errors: unknown[] = []
  inbox.onError((error) => void errors.push(error.cause))
  const effects = (eventId: string) => store.database.prepare('SELECT handler FROM effects WHERE event_id = ? ORDER BY rowid').pluck().all(eventId)
  return { store, inbox, errors, effects }
}

const write = (store: SqliteStore, eventId: string, handler: string) => store.database.prepare('INSERT INTO effects VALUES (?, ?)').run(eventId, handler)

describe('ctx.transaction on sqliteStore()', () => {
  it('ctx.transaction(fn) resolves with what fn returned, sync or async', async () => {
    const { inbox } = setup()
    const seen: unknown[] = []
    inbox.on('github', 'issues', async (_event, ctx) => void seen.push(await ctx.transaction(() => 42)), { name: 'sync' })
    inbox.on('github', 'issues', async (_event, ctx) => void seen.push(await ctx.transaction(async () => 'async')), { name: 'async' })
    expect((await inbox.fetch(await issue('gh-tx-3'))).status).toBe(200)
    expect(seen).toEqual([42, 'async'])
  })

  it('ctx.transaction() called twice by one handler rejects the second with transaction_unsupported, the first committed', async () => {
    const { inbox, effects, store, errors } = setup()
    inbox.on('github', 'issues', async (event, ctx) => {
      await ctx.transaction(() => write(store, event.id, 'first'))
      await ctx.transaction(() => write(store, event.id, 'second'))
    })
    expect((await inbox.fetch(await issue('gh-tx-4'))).status).toBe(500)
    expect(effects('gh-tx-4')).toEqual(['first'])
    expect(errors[0]).toMatchObject({ code: 'transaction_unsupported' })
  })

  it('ctx.transaction(fn) after another process took the event over runs nothing, and only the takeover writes', async () => {
    const { store, path } = tempStore()
    store.database.exec('CREATE TABLE effects (event_id TEXT NOT NULL, handler TEXT NOT NULL)')
    const other = sqliteStore({ path })
    onCleanup(() => other.close())
    const clock = { now: NOW }
    const register = (inbox: ReturnType<typeof createInbox<typeof providers, SqliteStore>>, label: string, first?: () => Promise<unknown>) =>
      inbox.on('github', 'issues', async (event, ctx) => {
        await first?.()
        await ctx.transaction((tx) => tx.run(sql`INSERT INTO effects VALUES (${event.id}, ${label})`))
      })
    const here = createInbox({ store, providers, now: () => clock.now, mode: 'inline', logger: { warn: () => {}, error: () => {}, info: () => {} } })
    const there = createInbox({ store: other, providers, now: () => clock.now, mode: 'inline' })
    // This run's lease runs out and the other process's sweeper takes the event over first.
    register(here, 'here', async () => {
      clock.now += 120_000
      expect(await there.sweep()).toMatchObject({ processed: 1 })
    })
    register(there, 'there')
    await here.fetch(await issue('gh-tx-5'))
    expect(store.database.prepare('SELECT handler FROM effects').pluck().all()).toEqual(['there'])
    expect((await store.get({ provider: 'github', eventId: 'gh-tx-5' }))?.status).toBe('processed')
  })

  it('the transaction holds back the store writes queued meanwhile and they commit after it', async () => {
    const { inbox, effects, store } = setup()
    let claimed: Promise<Response> | undefined
    inbox.on('github', 'issues', (event, ctx) =>
      ctx.transaction(async (tx) => {
        if (event.id === 'gh-tx-6') claimed = Promise.resolve(inbox.fetch(await issue('gh-tx-7')))
        await new Promise((resolve) => setTimeout(resolve, 20))
        await tx.run(sql`INSERT INTO effects VALUES (${event.id}, 'h')`)
      }),
    )
    expect((await inbox.fetch(await issue('gh-tx-6'))).status).toBe(200)
    expect((await claimed!).status).toBe(200)
    expect([...effects('gh-tx-6'), ...effects('gh-tx-7')]).toEqual(['h', 'h'])
    expect((await store.get({ provider: 'github', eventId: 'gh-tx-7' }))?.status).toBe('processed')
  })
})

describe('ctx.transaction without store transactions', () => {
  it('ctx.transaction() on a store without transaction() rejects with transaction_unsupported and the event fails', async () => {
    const { store } = tempStore()
    const { transaction: _none, ...plain } = store
    const inbox = createInbox({ store: plain, providers, now: () => NOW, mode: 'inline' })
    const errors: WebhookError[] = []
    inbox.onError((error) => void errors.push(error))
    inbox.on('github', 'issues', (_event, ctx) => ctx.transaction(() => 1))
    expect((await inbox.fetch(await issue('gh-tx-8'))).status).toBe(500)
    expect(errors[0]?.cause).toMatchObject({ code: 'transaction_unsupported', status: 500 })
    expect((errors[0]?.cause as Error).message).toContain('D1 has none')
  })
})
