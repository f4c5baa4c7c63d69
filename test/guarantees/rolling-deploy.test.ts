import { describe, expect, it } from 'vitest'
import { github, razorpay } from '../../providers/index.js'
import { createInbox } from '../../src/inbox.js'
import { sqliteStore } from '../../src/stores/sqlite/index.js'
import type { Store } from '../../src/store.js'
import { fixture, signedRequest } from '../../src/testing/index.js'
import { NOW } from '../helpers.js'
import { onCleanup, tempStore } from '../node-helpers.js'
import { PG_URL, sameSchemaStore, tempPostgresStore } from '../postgres-helpers.js'

const secret = 'rolling-secret'
const quiet = { info() {}, warn() {}, error() {} }

interface SharedStore {
  label: string
  /** Two stores on one database, as two processes of a deploy would open them. */
  open(): [Store, Store]
}

const shared: SharedStore[] = [
  {
    label: 'SQLite, one file',
    open() {
      const { store, path } = tempStore()
      const second = sqliteStore({ path })
      onCleanup(() => second.close())
      return [store, second]
    },
  },
  ...(PG_URL
    ? [
        {
          label: 'Postgres, one schema',
          open(): [Store, Store] {
            const { store, schema } = tempPostgresStore()
            return [store, sameSchemaStore(schema)]
          },
        },
      ]
    : []),
]

describe.each(shared)('inboxes of a rolling deploy ($label)', ({ open }) => {
  it('inbox.sweep() of an inbox without razorpay leaves a failed razorpay event its attempts, and the inbox with razorpay runs it', async () => {
    let clock = NOW
    const [newStore, oldStore] = open()
    const options = { now: () => clock, mode: 'inline' as const, maxAttempts: 3, backoff: { baseMs: 1_000, maxMs: 1_000 }, logger: quiet }
    const current = createInbox({ ...options, store: newStore, providers: { github: github({ secret }), razorpay: razorpay({ secret }) } })
    const old = createInbox({ ...options, store: oldStore, providers: { github: github({ secret }) } })
    let failuresLeft = 1
    let razorpayRuns = 0
    current.on('razorpay', 'payment.captured', () => {
      razorpayRuns++
      if (failuresLeft-- > 0) throw new Error('first run fails')
    })

    const response = await current.fetch(await signedRequest('razorpay', fixture('razorpay', 'payment.captured'), { secret, id: 'evt_roll' }))
    expect(response.status).toBe(500)
    for (let pass = 0; pass < 6; pass++) {
      clock += 2_000
      expect(await old.sweep()).toEqual({ taken: 0, processed: 0, failed: 0, dead: 0 })
    }
    expect(await current.get('razorpay', 'evt_roll')).toMatchObject({ status: 'failed', fence: 1 })

    expect(await current.sweep()).toMatchObject({ taken: 1, processed: 1 })
    expect(razorpayRuns).toBe(2)
    expect(await current.get('razorpay', 'evt_roll')).toMatchObject({ status: 'processed', fence: 2 })
  })

  it('inbox.replay() and inbox.retry() of an inbox without the event\'s provider reject with 404 unknown_provider and leave the row as it was', async () => {
    const [newStore, oldStore] = open()
    const options = { now: () => NOW, mode: 'inline' as const, logger: quiet }
    const current = createInbox({ ...options, store: newStore, providers: { github: github({ secret }), razorpay: razorpay({ secret }) } })
    const old = createInbox({ ...options, store: oldStore, providers: { github: github({ secret }) } })
    current.on('razorpay', 'payment.captured', () => {
      throw new Error('fails')
    })
    await current.fetch(await signedRequest('razorpay', fixture('razorpay', 'payment.captured'), { secret, id: 'evt_roll2' }))
    const before = await current.get('razorpay', 'evt_roll2')
    // The old inbox's types know no razorpay; a dashboard or CLI passes the name as a string.
    const provider = 'razorpay' as 'github'
    await expect(old.replay(provider, 'evt_roll2')).rejects.toMatchObject({ status: 404, code: 'unknown_provider' })
    await expect(old.retry(provider, 'evt_roll2')).rejects.toMatchObject({ status: 404, code: 'unknown_provider' })
    expect(await current.get('razorpay', 'evt_roll2')).toEqual(before)
  })
})
