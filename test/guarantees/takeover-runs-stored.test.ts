import { describe, expect, it } from 'vitest'
import { github, razorpay, shopify } from '../../providers/index.js'
import { createInbox } from '../../src/inbox.js'
import type { Store } from '../../src/store.js'
import { fixture, type FixtureName, signedRequest } from '../../src/testing/index.js'
import type { InboxEvent, InboxMode } from '../../src/types.js'
import { NOW } from '../helpers.js'
import { tempStore } from '../node-helpers.js'
import { PG_URL, tempPostgresStore } from '../postgres-helpers.js'

const secret = 'takeover-secret'
const providers = { github: github({ secret }), razorpay: razorpay({ secret }), shopify: shopify({ secret }) }
type Name = keyof typeof providers

/** Two events of one provider whose id travels outside the signature: A succeeds, B fails its first run. */
interface Pair<N extends Name> {
  name: N
  a: FixtureName<N>
  b: FixtureName<N>
  /** The header value that names each fixture's type (GitHub's X-GitHub-Event, Shopify's topic); none for Razorpay. */
  header?: [string, string]
  /** B's stored type, which its failing handler is registered for. */
  bType: string
}

const pairs: { [N in Name]: Pair<N> }[Name][] = [
  { name: 'github', a: 'push', b: 'issues.opened', header: ['push', 'issues'], bType: 'issues.opened' },
  { name: 'razorpay', a: 'payment.captured', b: 'refund.processed', bType: 'refund.processed' },
  { name: 'shopify', a: 'products/update', b: 'orders/create', header: ['products/update', 'orders/create'], bType: 'orders/create' },
]

interface StoreCase {
  label: string
  mode: InboxMode
  create(): Store
}

const storeCases: StoreCase[] = [
  { label: 'SQLite, inline', mode: 'inline', create: () => tempStore().store },
  { label: 'SQLite, deadline', mode: 'deadline', create: () => tempStore().store },
  ...(PG_URL ? [{ label: 'Postgres, deadline', mode: 'deadline' as const, create: () => tempPostgresStore().store }] : []),
]

function setup(c: StoreCase, pair: (typeof pairs)[number]) {
  let clock = NOW
  // B's planned failure is reported through the logger; these tests read the rows instead.
  const quiet = { info() {}, warn() {}, error() {} }
  const inbox = createInbox({ store: c.create(), providers, mode: c.mode, now: () => clock, backoff: { baseMs: 1_000, maxMs: 1_000 }, logger: quiet })
  const runs: InboxEvent[] = []
  let bFailures = 1
  // The failing handler first: a handler that returned is not run again on the retry.
  inbox.onAny((event) => {
    if (event.type === pair.bType && bFailures-- > 0) throw new Error('first run of B fails')
  })
  inbox.onAny((event) => void runs.push(event))
  // The union of pairs does not narrow name and fixture together.
  const bodyA = JSON.stringify(fixture(pair.name, pair.a as never))
  const bodyB = JSON.stringify(fixture(pair.name, pair.b as never))
  const send = async (body: string, id: string, type?: string) => {
    const response = await inbox.fetch(await signedRequest(pair.name, body, { secret, id, ...(type === undefined ? {} : { type }) }))
    return [response.status, response.headers.get('webhook-inbox-status')]
  }
  return {
    inbox,
    runs,
    bodyA,
    bodyB,
    sendA: (id: string) => send(bodyA, id, pair.header?.[0]),
    sendB: (id: string) => send(bodyB, id, pair.header?.[1]),
    advance: (ms: number) => void (clock += ms),
  }
}

describe.each(storeCases)('a delivery that takes over a stored row ($label)', (c) => {
  describe.each(pairs)('$name', (pair) => {
    it("inbox.fetch() answers 200 duplicate to A's processed bytes under B's failed id, runs nothing, and B later runs its own body", async () => {
      const { inbox, runs, bodyB, sendA, sendB, advance } = setup(c, pair)
      expect(await sendA('id-A')).toEqual([200, 'processed'])
      expect(await sendB('id-B')).toEqual([500, 'failed'])
      const before = runs.length

      expect(await sendA('id-B')).toEqual([200, 'duplicate'])
      expect(runs.length).toBe(before)
      expect(await inbox.get(pair.name, 'id-B')).toMatchObject({ status: 'failed', fence: 1 })

      advance(1_000)
      expect(await inbox.sweep()).toMatchObject({ taken: 1, processed: 1 })
      const last = runs.at(-1)!
      expect([last.id, last.type, last.payload]).toEqual(['id-B', pair.bType, JSON.parse(bodyB)])
      expect(await inbox.get(pair.name, 'id-A')).toMatchObject({ status: 'processed', fence: 1 })
    })

    it("inbox.fetch() runs B's stored body when other bytes arrive under B's failed id, answering as B's own redelivery", async () => {
      const { inbox, runs, bodyB, sendA, sendB } = setup(c, pair)
      expect(await sendB('id-B')).toEqual([500, 'failed'])
      const before = runs.length

      expect(await sendA('id-B')).toEqual([200, 'processed'])
      expect(runs.slice(before).map((e) => [e.id, e.type, e.payload])).toEqual([['id-B', pair.bType, JSON.parse(bodyB)]])
      expect(await inbox.get(pair.name, 'id-B')).toMatchObject({ status: 'processed', fence: 2, type: pair.bType, body: bodyB })
      expect(await inbox.list()).toHaveLength(1)
    })

    it("inbox.fetch() retries B's failed row when B's bytes arrive under a new id, as a redelivery by B's id would", async () => {
      const { inbox, runs, bodyB, sendB } = setup(c, pair)
      expect(await sendB('id-B')).toEqual([500, 'failed'])
      const before = runs.length

      expect(await sendB('id-C')).toEqual([200, 'processed'])
      expect(runs.slice(before).map((e) => [e.id, e.type, e.payload])).toEqual([['id-B', pair.bType, JSON.parse(bodyB)]])
      expect(await inbox.get(pair.name, 'id-B')).toMatchObject({ status: 'processed', fence: 2 })
      expect(await inbox.get(pair.name, 'id-C')).toBeUndefined()
      // Settled under B's key, not C's: B's redelivery is a duplicate, and so is C's.
      expect(await sendB('id-B')).toEqual([200, 'duplicate'])
      expect(await sendB('id-C')).toEqual([200, 'duplicate'])
      expect(runs.length).toBe(before + 1)
    })

    it("inbox.fetch() retries B's failed row when B's bytes arrive under the id of A, which this process saw processed", async () => {
      const { inbox, runs, bodyB, sendA, sendB } = setup(c, pair)
      expect(await sendA('id-A')).toEqual([200, 'processed'])
      expect(await sendB('id-B')).toEqual([500, 'failed'])
      const before = runs.length

      expect(await sendB('id-A')).toEqual([200, 'processed'])
      expect(runs.slice(before).map((e) => [e.id, e.type, e.payload])).toEqual([['id-B', pair.bType, JSON.parse(bodyB)]])
      expect(await inbox.get(pair.name, 'id-B')).toMatchObject({ status: 'processed' })
      expect(await sendA('id-A')).toEqual([200, 'duplicate'])
    })
  })
})
