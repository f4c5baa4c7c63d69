import { describe, expect, it } from 'vitest'
import { github, slack } from '../../providers/index.js'
import { createInbox } from '../../src/inbox.js'
import { sqliteStore } from '../../src/stores/sqlite/index.js'
import { NOW, signedDelivery } from '../helpers.js'
import { onCleanup, tempStore } from '../node-helpers.js'

const secret = 'records-secret'
const providers = { github: github({ secret }) }
const issue = (id: string) =>
  signedDelivery(providers.github, 'github', { body: JSON.stringify({ action: 'opened', issue: { node_id: id } }), id, type: 'issues' })
const key = (eventId: string) => ({ provider: 'github', eventId })

function inboxOver(store: ReturnType<typeof sqliteStore>, clock = { now: NOW }) {
  const inbox = createInbox({ store, providers, now: () => clock.now, backoff: { baseMs: 1000, maxMs: 1000 }, mode: 'inline' })
  inbox.onError(() => {})
  return inbox
}

/** Two handlers: the first records its call, the second throws on the event's first run (not on a replay's). */
function twoHandlers(inbox: ReturnType<typeof inboxOver>, runs: string[]) {
  inbox.on('github', 'issues', (event) => void runs.push(`first#${event.attempt}`), { name: 'first' })
  inbox.on('github', 'issues', (event) => {
    runs.push(`second#${event.attempt}`)
    if (event.attempt === 1 && !event.replay) throw new Error('second handler fails once')
  }, { name: 'second' })
}

describe('per-handler success records', () => {
  it('inbox.fetch() of a redelivery after the second handler threw runs only the second: the first ran once, the second twice', async () => {
    const { store } = tempStore()
    const clock = { now: NOW }
    const inbox = inboxOver(store, clock)
    const runs: string[] = []
    twoHandlers(inbox, runs)
    expect((await inbox.fetch(await issue('gh-redelivered'))).status).toBe(500)
    clock.now += 1000
    expect((await inbox.fetch(await issue('gh-redelivered'))).status).toBe(200)
    expect(runs).toEqual(['first#1', 'second#1', 'second#2'])
    expect((await store.handled(key('gh-redelivered'), 0)).sort()).toEqual(['first', 'second'])
  })

  it('inbox.replay() runs every handler again, recorded or not, and the replay records them in its own generation', async () => {
    const { store } = tempStore()
    const clock = { now: NOW }
    const inbox = inboxOver(store, clock)
    const runs: string[] = []
    twoHandlers(inbox, runs)
    await inbox.fetch(await issue('gh-replayed'))
    clock.now += 1000
    await inbox.sweep()
    expect(await inbox.replay('github', 'gh-replayed')).toMatchObject({ status: 'processed' })
    expect(runs).toEqual(['first#1', 'second#1', 'second#2', 'first#1', 'second#1'])
    expect((await store.handled(key('gh-replayed'), 1)).sort()).toEqual(['first', 'second'])
  })

  it("a handler's name survives a restart: a new inbox over the same SQLite file with the same registrations skips the handler the first recorded", async () => {
    const { store, path } = tempStore()
    const runs: string[] = []
    const first = inboxOver(store)
    twoHandlers(first, runs)
    expect((await first.fetch(await issue('gh-restarted'))).status).toBe(500)
    await store.close()

    const reopened = sqliteStore({ path })
    onCleanup(() => reopened.close())
    const clock = { now: NOW + 1000 }
    const second = inboxOver(reopened, clock)
    twoHandlers(second, runs)
    expect(await second.sweep()).toMatchObject({ processed: 1 })
    expect(runs).toEqual(['first#1', 'second#1', 'second#2'])
  })

  it('inbox.on() without a name records on:<provider>:<type>#<n> and onAny() any#<n>, n counting registrations of that shape', async () => {
    const { store } = tempStore()
    const inbox = inboxOver(store)
    inbox.on('github', 'issues', () => {})
    inbox.on('github', 'issues', () => {})
    inbox.onAny(() => {})
    inbox.on('github', 'issues.opened', () => {})
    await inbox.fetch(await issue('gh-defaults'))
    expect((await store.handled(key('gh-defaults'), 0)).sort()).toEqual(['any#1', 'on:github:issues#1', 'on:github:issues#2', 'on:github:issues.opened#1'])
  })

  it('inbox.on() and onAny() throw a TypeError naming a handler name already registered, default names included', () => {
    const { store } = tempStore()
    const inbox = inboxOver(store)
    inbox.on('github', 'issues', () => {}, { name: 'fulfil' })
    expect(() => inbox.onAny(() => {}, { name: 'fulfil' })).toThrow(new TypeError('[webhook-inbox] onAny(): a handler named "fulfil" is already registered; give each handler its own { name }'))
    inbox.onAny(() => {})
    expect(() => inbox.on('github', 'push', () => {}, { name: 'any#1' })).toThrow(/"any#1" is already registered/)
    expect(() => inbox.onAny(() => {}, { name: '' })).toThrow(TypeError)
  })

  it('inbox.fetch() of a Slack redelivery after a failed run answers without the reply of the handler it skipped', async () => {
    const { store } = tempStore()
    const provider = slack({ secret })
    const clock = { now: NOW }
    const inbox = createInbox({ store, providers: { slack: provider }, now: () => clock.now, backoff: { baseMs: 1000, maxMs: 1000 }, mode: 'inline' })
    inbox.onError(() => {})
    let replies = 0
    inbox.on('slack', 'slash_command', () => ({ text: `reply ${++replies}` }), { name: 'reply' })
    let failures = 1
    inbox.on('slack', 'slash_command', () => {
      if (failures-- > 0) throw new Error('fails once')
    }, { name: 'audit' })
    const body = new URLSearchParams({ command: '/deploy', text: 'prod', trigger_id: 'trg-skip', user_id: 'U1', channel_id: 'C1', team_id: 'T1' }).toString()
    expect((await inbox.fetch(await signedDelivery(provider, 'slack', { body }))).status).toBe(500)
    clock.now += 1000
    const retried = await inbox.fetch(await signedDelivery(provider, 'slack', { body }))
    expect([retried.status, retried.headers.get('webhook-inbox-status')]).toEqual([200, 'processed'])
    expect(await retried.text()).not.toContain('reply')
    expect(replies).toBe(1)
  })

  it('a run whose lease was taken over after its first handler returned ends lost: its record is refused and the next handler never runs', async () => {
    const { store } = tempStore()
    const clock = { now: NOW }
    const inbox = createInbox({ store, providers, now: () => clock.now, leaseMs: 1000, mode: 'inline' })
    const runs: string[] = []
    inbox.on('github', 'issues', async () => {
      runs.push('first')
      // Another process takes the event over while this handler still runs.
      await store.take(key('gh-lost'), { now: NOW + 1000, leaseMs: 1000 })
    }, { name: 'first' })
    inbox.on('github', 'issues', () => void runs.push('second'), { name: 'second' })
    await inbox.fetch(await issue('gh-lost'))
    expect(runs).toEqual(['first'])
    expect(await store.handled(key('gh-lost'), 0)).toEqual([])
    expect(await store.get(key('gh-lost'))).toMatchObject({ status: 'processing', fence: 2 })
  })
})
