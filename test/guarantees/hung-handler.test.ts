import { describe, expect, it } from 'vitest'
import { github } from '../../providers/index.js'
import { createInbox } from '../../src/inbox.js'
import { signedDelivery, waitFor } from '../helpers.js'
import { onCleanup, tempStore } from '../node-helpers.js'

const provider = github({ secret: 'hung-secret' })
const issue = (id: string) =>
  signedDelivery(provider, 'github', { body: JSON.stringify({ action: 'opened', issue: { node_id: id } }), id, type: 'issues' })

describe('a handler that never returns', () => {
  it('inbox.startSweeper() frees the slot of a run past its lease, keeps retrying other events, never runs two copies, and dead-letters the hung event after maxAttempts', async () => {
    const { store } = tempStore()
    const inbox = createInbox({ store, providers: { github: provider }, leaseMs: 300, maxAttempts: 3, backoff: { baseMs: 10, maxMs: 10 } })
    inbox.onError(() => {})
    const dead: string[] = []
    inbox.onDeadLetter((event) => void dead.push(event.id))
    let hungRuns = 0
    let aborted: unknown
    let flakyRuns = 0
    inbox.onAny(async (event, ctx) => {
      if (event.id === 'gh-hung') {
        hungRuns++
        ctx.signal.addEventListener('abort', () => (aborted = ctx.signal.reason))
        await new Promise(() => {})
      }
      if (event.id === 'gh-flaky' && ++flakyRuns === 1) throw new Error('once')
    })
    await store.claim(
      { provider: 'github', eventId: 'gh-hung', type: 'issues.opened', body: '{"action":"opened","issue":{}}', headers: {} },
      { now: Date.now(), leaseMs: 300, queue: true },
    )
    expect((await inbox.fetch(await issue('gh-flaky'))).status).toBe(500)
    // One slot: before the fix the hung run held it for good, and gh-flaky never ran again.
    const sweeper = inbox.startSweeper({ intervalMs: 20, concurrency: 1 })
    onCleanup(() => sweeper.stop())
    await waitFor(async () => (await store.get({ provider: 'github', eventId: 'gh-hung' }))?.status === 'dead', 10_000, 'the hung event to be dead-lettered')
    await waitFor(async () => (await store.get({ provider: 'github', eventId: 'gh-flaky' }))?.status === 'processed', 10_000, 'gh-flaky to be retried')
    expect(hungRuns).toBe(1)
    expect(String(aborted)).toContain('lease of 300 ms ran out')
    expect(dead).toEqual(['gh-hung'])
    const row = await store.get({ provider: 'github', eventId: 'gh-hung' })
    expect(row).toMatchObject({ status: 'dead', fence: 3 })
    expect(row?.lastError).toContain('outlived its lease')
  })

  it('inbox.sweep() resolves once the lease of a hung run it took runs out, with the event left due again', async () => {
    const { store } = tempStore()
    const inbox = createInbox({ store, providers: { github: provider }, leaseMs: 200 })
    inbox.onAny(() => new Promise(() => {}))
    await store.claim(
      { provider: 'github', eventId: 'gh-stuck', type: 'issues.opened', body: '{"action":"opened","issue":{}}', headers: {} },
      { now: Date.now(), leaseMs: 200, queue: true },
    )
    expect(await inbox.sweep()).toEqual({ taken: 1, processed: 0, failed: 0, dead: 0 })
    expect((await store.takeDue({ now: Date.now(), leaseMs: 200, limit: 10, providers: ['github'] })).map((e) => e.eventId)).toEqual(['gh-stuck'])
  })
})
