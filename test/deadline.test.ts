import { describe, expect, it } from 'vitest'
import { github, slack } from '../providers/index.js'
import { createInbox } from '../src/inbox.js'
import { signedDelivery, waitFor } from './helpers.js'
import { tempStore } from './node-helpers.js'

const slashCommand = (triggerId: string) =>
  new URLSearchParams({ command: '/deploy', text: 'prod', trigger_id: triggerId, user_id: 'U1', channel_id: 'C1', team_id: 'T1', response_url: 'https://hooks.slack.test/commands/1' }).toString()

function gate() {
  let open!: () => void
  const opened = new Promise<void>((resolve) => (open = resolve))
  return { opened, open }
}

describe("mode: 'deadline' (the default)", () => {
  it('inbox.fetch() answers a Slack slash command whose handler is still running at the deadline with an empty 200 accepted within 3 s, and finishes the handler once', async () => {
    const { store } = tempStore()
    const provider = slack({ secret: 'deadline-secret' })
    const inbox = createInbox({ store, providers: { slack: provider } })
    const slow = gate()
    let runs = 0
    let finished = 0
    inbox.on('slack', 'slash_command', async () => {
      runs++
      await slow.opened
      finished++
      return { text: 'too late to be read' }
    })
    const request = await signedDelivery(provider, 'slack', { body: slashCommand('trg-slow') })
    const started = Date.now()
    const response = await inbox.fetch(request.clone())
    expect(Date.now() - started).toBeLessThan(3_000)
    expect([response.status, response.headers.get('webhook-inbox-status'), await response.text()]).toEqual([200, 'accepted', ''])
    // Delivered again while the first run is still going: answered, not run twice.
    const again = await inbox.fetch(request)
    expect([again.status, again.headers.get('webhook-inbox-status')]).toEqual([200, 'duplicate'])
    slow.open()
    await waitFor(async () => (await store.get({ provider: 'slack', eventId: 'trg-slow' }))?.status === 'processed', 5_000, 'the run to finish')
    expect([runs, finished]).toEqual([1, 1])
  })

  it("inbox.fetch() answers a Slack Events API retry (X-Slack-Retry-Num) during a late run 200 duplicate, without a second run", async () => {
    const { store } = tempStore()
    const provider = slack({ secret: 'deadline-secret', ackDeadlineMs: 100 })
    const inbox = createInbox({ store, providers: { slack: provider } })
    const slow = gate()
    let runs = 0
    inbox.onAny(async () => {
      runs++
      await slow.opened
    })
    const body = JSON.stringify({ type: 'event_callback', event_id: 'EvLate', team_id: 'T1', event: { type: 'app_mention' } })
    expect((await inbox.fetch(await signedDelivery(provider, 'slack', { body }))).headers.get('webhook-inbox-status')).toBe('accepted')
    const retry = await signedDelivery(provider, 'slack', { body })
    const headers = new Headers(retry.headers)
    headers.set('x-slack-retry-num', '1')
    headers.set('x-slack-retry-reason', 'http_timeout')
    const second = await inbox.fetch(new Request(retry, { headers }))
    expect([second.status, second.headers.get('webhook-inbox-status')]).toEqual([200, 'duplicate'])
    slow.open()
    await waitFor(async () => (await store.get({ provider: 'slack', eventId: 'EvLate' }))?.status === 'processed', 5_000, 'the run to finish')
    expect(runs).toBe(1)
  })

  it("inbox.fetch() answers with a fast Slack handler's own reply", async () => {
    const { store } = tempStore()
    const provider = slack({ secret: 'deadline-secret' })
    const inbox = createInbox({ store, providers: { slack: provider } })
    inbox.on('slack', 'slash_command', (event) => ({ text: `Deploying ${event.payload.text}` }))
    const response = await inbox.fetch(await signedDelivery(provider, 'slack', { body: slashCommand('trg-fast') }))
    expect([response.status, await response.json()]).toEqual([200, { text: 'Deploying prod' }])
  })

  it('a handler that throws after the late answer leaves the event failed; the sweeper retries it and dead-letters it after maxAttempts, as inline', async () => {
    const { store } = tempStore()
    const provider = github({ secret: 'deadline-secret', ackDeadlineMs: 50 })
    const inbox = createInbox({ store, providers: { github: provider }, maxAttempts: 2, backoff: { baseMs: 1, maxMs: 1 } })
    inbox.onError(() => {})
    const dead: string[] = []
    inbox.onDeadLetter((event) => void dead.push(event.id))
    const slow = gate()
    let runs = 0
    inbox.onAny(async () => {
      runs++
      await slow.opened
      throw new Error('downstream refused')
    })
    const body = JSON.stringify({ action: 'opened', issue: { node_id: 'gh-late' } })
    const response = await inbox.fetch(await signedDelivery(provider, 'github', { body, id: 'gh-late', type: 'issues' }))
    expect([response.status, response.headers.get('webhook-inbox-status')]).toEqual([202, 'accepted'])
    slow.open()
    await waitFor(async () => (await store.get({ provider: 'github', eventId: 'gh-late' }))?.status === 'failed', 5_000, 'the late run to fail')
    await waitFor(async () => (await inbox.sweep()).dead === 1, 5_000, 'the sweeper to dead-letter it')
    expect(runs).toBe(2)
    expect(dead).toEqual(['gh-late'])
  })

  it('createInbox() throws a TypeError for a provider ackDeadlineMs below 1 or an unknown mode', () => {
    const { store } = tempStore()
    expect(() => createInbox({ store, providers: { github: github({ secret: 's', ackDeadlineMs: 0 }) } })).toThrow(TypeError)
    expect(() => createInbox({ store, providers: {}, mode: 'later' as never })).toThrow(TypeError)
  })
})
