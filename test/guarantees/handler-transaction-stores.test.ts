// ctx.transaction's retries on every store with transactions: a write committed with its
// handler's success record is not made again by a retry, and one rolled back is made once.
import { expect, it } from 'vitest'
import { github } from '../../providers/index.js'
import { createInbox } from '../../src/inbox.js'
import { NOW, signedDelivery } from '../helpers.js'
import { describeEachTransactionStore } from '../transaction-stores.js'

const providers = { github: github({ secret: 'tx-stores-secret' }) }
const issue = (id: string) =>
  signedDelivery(providers.github, 'github', { body: JSON.stringify({ action: 'opened', issue: { node_id: id } }), id, type: 'issues' })

describeEachTransactionStore('ctx.transaction across retries', (kind) => {
  async function setup() {
    const place = await kind.fresh('tx-retries')
    const store = place.open()
    const clock = { now: NOW }
    const inbox = createInbox({ store, providers, now: () => clock.now, backoff: { baseMs: 1000, maxMs: 1000 }, mode: 'inline' })
    const errors: unknown[] = []
    inbox.onError((error) => void errors.push(error.cause))
    /** A sweep once the retry is due. */
    const retry = () => {
      clock.now += 1000
      return inbox.sweep()
    }
    return { place, store, inbox, errors, retry }
  }

  it("ctx.transaction(fn) in the first of two handlers, the second throwing on its first two runs: across both retries the first handler's row is written once", async () => {
    const { place, store, inbox, errors, retry } = await setup()
    inbox.on('github', 'issues', (event, ctx) => ctx.transaction((tx) => place.effects.insert(tx, event.id, 'first')), { name: 'first' })
    inbox.on('github', 'issues', (event) => {
      if (event.attempt < 3) throw new Error(`second fails on run ${event.attempt}`)
    }, { name: 'second' })
    expect((await inbox.fetch(await issue('gh-two-handlers'))).status).toBe(500)
    expect(errors).toEqual([expect.objectContaining({ message: 'second fails on run 1' })])
    expect(await place.effects.rows()).toEqual([{ eventId: 'gh-two-handlers', writer: 'first' }])
    expect(await store.handled({ provider: 'github', eventId: 'gh-two-handlers' }, 0)).toEqual(['first'])
    expect(await retry()).toMatchObject({ taken: 1, failed: 1 })
    expect(await retry()).toMatchObject({ taken: 1, processed: 1 })
    expect(await store.get({ provider: 'github', eventId: 'gh-two-handlers' })).toMatchObject({ status: 'processed', fence: 3 })
    expect(await place.effects.rows()).toEqual([{ eventId: 'gh-two-handlers', writer: 'first' }])
  })

  it("ctx.transaction(fn) whose fn throws after its write: no row and the handler fails with fn's error; the retry's write lands once", async () => {
    const { place, store, inbox, errors, retry } = await setup()
    inbox.on('github', 'issues', (event, ctx) =>
      ctx.transaction(async (tx) => {
        await place.effects.insert(tx, event.id, `run ${event.attempt}`)
        if (event.attempt === 1) throw new Error('fails after its write')
      }),
    )
    expect((await inbox.fetch(await issue('gh-throws-in-fn'))).status).toBe(500)
    expect(errors).toEqual([expect.objectContaining({ message: 'fails after its write' })])
    expect(await place.effects.rows()).toEqual([])
    expect(await store.handled({ provider: 'github', eventId: 'gh-throws-in-fn' }, 0)).toEqual([])
    expect(await retry()).toMatchObject({ taken: 1, processed: 1 })
    expect(await place.effects.rows()).toEqual([{ eventId: 'gh-throws-in-fn', writer: 'run 2' }])
  })
})
