import { describe, expect, it } from 'vitest'
import { github } from '../../providers/index.js'
import { createInbox } from '../../src/inbox.js'
import { sqliteStore } from '../../src/stores/sqlite/index.js'
import type { Store } from '../../src/store.js'
import { signedDelivery, waitFor } from '../helpers.js'
import { onCleanup, tempStore } from '../node-helpers.js'

const provider = github({ secret: 'shutdown-secret' })
const issue = (id: string) =>
  signedDelivery(provider, 'github', { body: JSON.stringify({ action: 'opened', issue: { node_id: id } }), id, type: 'issues' })

describe('inbox.shutdown() with a claim in flight', () => {
  it('waits for a claim already under way, gives its lease back and answers it 503 shutting_down without running a handler', async () => {
    const { store, path } = tempStore()
    let open!: () => void
    const gate = new Promise<void>((resolve) => (open = resolve))
    let claiming = false
    // The claim lands only when the gate opens, as a slow disk or a busy lock would make it.
    const order: string[] = []
    const slow: Store = {
      ...store,
      claim: async (...args) => {
        claiming = true
        await gate
        const result = await store.claim(...args)
        order.push('claimed')
        return result
      },
      close: async () => {
        order.push('closed')
        await store.close()
      },
    }
    const inbox = createInbox({ store: slow, providers: { github: provider } })
    inbox.onError(() => {})
    let runs = 0
    inbox.onAny(() => void runs++)
    const delivery = inbox.fetch(await issue('gh-racing'))
    await waitFor(() => claiming, 5_000, 'the claim to start')
    const shutdown = inbox.shutdown({ graceMs: 5_000 })
    open()
    const response = await delivery
    await shutdown
    expect(order).toEqual(['claimed', 'closed'])
    expect([response.status, ((await response.json()) as { code: string }).code]).toEqual([503, 'shutting_down'])
    expect(runs).toBe(0)
    // The next process finds it waiting, due now, with the attempt not counted.
    const next = sqliteStore({ path })
    onCleanup(() => next.close())
    expect(await next.get({ provider: 'github', eventId: 'gh-racing' })).toMatchObject({ status: 'received', fence: 0 })
  })
})
