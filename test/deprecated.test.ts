// The 0.1 names of the sweeper still work until 0.3.0 (see the changelog of 0.2.0).
import { describe, expect, it } from 'vitest'
import { github } from '../providers/index.js'
import { createInbox, type RetrySummary, type Worker } from '../src/index.js'
import { serve } from '../src/node/index.js'
import type { SweeperOptions } from '../src/sweeper.js'
import { NOW, signedDelivery, waitFor } from './helpers.js'
import { onCleanup, tempStore } from './node-helpers.js'

const providers = { github: github({ secret: 'deprecated-secret' }) }
const issue = (id: string) =>
  signedDelivery(providers.github, 'github', { body: JSON.stringify({ action: 'opened', issue: { node_id: id } }), id, type: 'issues' })

/** An inbox whose handler fails once, leaving the event failed and due after 1 s. */
async function inboxWithFailedEvent() {
  const clock = { now: NOW }
  const inbox = createInbox({ store: tempStore().store, providers, now: () => clock.now, backoff: { baseMs: 1000, maxMs: 1000 } })
  inbox.onError(() => {})
  let runs = 0
  inbox.onAny(() => {
    if (++runs === 1) throw new Error('first run fails')
  })
  expect((await inbox.fetch(await issue('gh-old-names'))).status).toBe(500)
  clock.now += 1000
  return { inbox, runs: () => runs }
}

describe('the deprecated sweeper names', () => {
  it('inbox.retryDue() runs a due failed event, as inbox.sweep() does', async () => {
    const { inbox } = await inboxWithFailedEvent()
    const summary: RetrySummary = await inbox.retryDue()
    expect(summary).toEqual({ taken: 1, processed: 1, failed: 0, dead: 0 })
  })

  it('inbox.startWorker() starts a sweeper that runs a due failed event and stops', async () => {
    const { inbox, runs } = await inboxWithFailedEvent()
    const worker: Worker = inbox.startWorker({ intervalMs: 10 })
    onCleanup(() => worker.stop())
    await waitFor(() => runs() === 2, 5_000, 'the sweeper to run the failed event')
    expect((await inbox.get('github', 'gh-old-names'))?.status).toBe('processed')
  })

  it('serve() takes worker as sweeper: false starts no sweeper, options reach startSweeper(), sweeper wins over it', async () => {
    const started: (SweeperOptions | undefined)[] = []
    for (const options of [{ worker: false as const }, { worker: { intervalMs: 50 } }, { worker: false as const, sweeper: { intervalMs: 60 } }]) {
      const inbox = createInbox({ store: tempStore().store, providers })
      const counted = { ...inbox, startSweeper: (sweeperOptions?: SweeperOptions) => (started.push(sweeperOptions), inbox.startSweeper(sweeperOptions)) }
      const served = await serve(counted, { port: 0, signals: false, ...options })
      await served.close()
    }
    expect(started).toEqual([{ intervalMs: 50 }, { intervalMs: 60 }])
  })
})
