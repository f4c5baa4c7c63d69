import { describe, expect, it } from 'vitest'
import { stripe } from '../providers/index.js'
import { createInbox } from '../src/inbox.js'
import { rememberSettled } from '../src/settled-keys.js'
import { sqliteStore } from '../src/stores/sqlite/index.js'
import type { Store } from '../src/store.js'
import { NOW, signedDelivery } from './helpers.js'
import { tempStore } from './node-helpers.js'

const SECRET = 'settled-test-secret'
const provider = stripe({ secret: SECRET, now: () => NOW })
const delivery = (id: string) => signedDelivery(provider, 'stripe', { body: JSON.stringify({ id, object: 'event', type: 'invoice.paid', data: { object: {} } }) })
const event = (eventId: string) => ({ provider: 'stripe', eventId, type: 't', body: `{"id":"${eventId}"}`, headers: {}, digest: eventId })
const lease = { now: NOW, leaseMs: 60_000 }

/** The real store, counting the claims that reach it. */
function counted(store: Store) {
  const claims: string[] = []
  return {
    claims,
    store: { ...store, claim: (e: Parameters<Store['claim']>[0], o: Parameters<Store['claim']>[1]) => (claims.push(e.eventId), store.claim(e, o)) },
  }
}

describe('settled events answered from memory', () => {
  it('inbox.fetch() answers a redelivery of an event this process processed 200 duplicate without a claim reaching the store', async () => {
    const { store, claims } = counted(tempStore().store)
    const inbox = createInbox({ store, providers: { stripe: provider }, now: () => NOW })
    let runs = 0
    inbox.onAny(() => void runs++)
    expect((await inbox.fetch(await delivery('evt_mem'))).headers.get('webhook-inbox-status')).toBe('processed')
    const again = await inbox.fetch(await delivery('evt_mem'))
    expect([again.status, again.headers.get('webhook-inbox-status')]).toEqual([200, 'duplicate'])
    expect(claims).toEqual(['evt_mem'])
    expect(runs).toBe(1)
  })

  it('inbox.replay() forgets the settled event, so a redelivery while the replay waits reaches the store', async () => {
    const { store, claims } = counted(tempStore().store)
    const inbox = createInbox({ store, providers: { stripe: provider }, now: () => NOW })
    const runs: boolean[] = []
    inbox.onAny((e) => void runs.push(e.replay))
    await inbox.fetch(await delivery('evt_replayed'))
    expect(await inbox.replay('stripe', 'evt_replayed')).toEqual({ status: 'processed' })
    expect(runs).toEqual([false, true])
    // The replay's own run settled it again: remembered again, not claimed again.
    expect((await inbox.fetch(await delivery('evt_replayed'))).headers.get('webhook-inbox-status')).toBe('duplicate')
    expect(claims).toEqual(['evt_replayed'])
  })

  it('rememberSettled() sends a claim to the store again after requeue(), requeueAll() or purge() in this process', async () => {
    const { store, claims } = counted(sqliteStore({ path: ':memory:' }))
    const { store: remembering } = rememberSettled(store)
    const settle = async (id: string) => {
      await remembering.claim(event(id), lease)
      expect(await remembering.complete({ provider: 'stripe', eventId: id }, 1, NOW)).toBe(true)
    }
    await settle('a')
    await remembering.requeue({ provider: 'stripe', eventId: 'a' }, { now: NOW, reason: 'replay' })
    expect(await remembering.claim(event('a'), lease)).toMatchObject({ outcome: 'claimed' })
    await settle('b')
    await remembering.requeueAll('dead', NOW)
    await remembering.claim(event('b'), lease)
    await settle('c')
    await remembering.purge({ before: 0, statuses: ['processed'], now: NOW })
    await remembering.claim(event('c'), lease)
    expect(claims).toEqual(['a', 'a', 'b', 'b', 'c', 'c'])
    await store.close()
  })

  it('rememberSettled() remembers a dead-lettered event, not a failed one that will be retried', async () => {
    const { store, claims } = counted(sqliteStore({ path: ':memory:' }))
    const { has, store: remembering } = rememberSettled(store)
    for (const [id, nextAttemptAt] of [['dead', null], ['failed', NOW + 1000]] as const) {
      await remembering.claim(event(id), lease)
      await remembering.fail({ provider: 'stripe', eventId: id }, 1, { error: 'boom', nextAttemptAt, now: NOW })
    }
    expect([has({ provider: 'stripe', eventId: 'dead' }, 'dead'), has({ provider: 'stripe', eventId: 'failed' }, 'failed')]).toEqual([true, false])
    expect(claims).toEqual(['dead', 'failed'])
    await store.close()
  })

  it('rememberSettled(store, 2) forgets the oldest settled event past its size, and the store answers for it', async () => {
    const { store, claims } = counted(sqliteStore({ path: ':memory:' }))
    const { has, store: remembering } = rememberSettled(store, 2)
    for (const id of ['1', '2', '3']) {
      await remembering.claim(event(id), lease)
      await remembering.complete({ provider: 'stripe', eventId: id }, 1, NOW)
    }
    expect(['1', '2', '3'].map((eventId) => has({ provider: 'stripe', eventId }, eventId))).toEqual([false, true, true])
    expect(await remembering.claim(event('1'), lease)).toEqual({ outcome: 'duplicate' })
    expect(claims).toEqual(['1', '2', '3', '1'])
    await store.close()
  })

  it('rememberSettled() does not answer for a settled event\'s id that arrives with other bytes: the store decides', async () => {
    const { store, claims } = counted(sqliteStore({ path: ':memory:' }))
    const { has, store: remembering } = rememberSettled(store)
    await remembering.claim(event('a'), lease)
    await remembering.complete({ provider: 'stripe', eventId: 'a' }, 1, NOW)
    expect([has({ provider: 'stripe', eventId: 'a' }, 'a'), has({ provider: 'stripe', eventId: 'a' }, 'other bytes')]).toEqual([true, false])
    await remembering.claim({ ...event('a'), digest: 'other bytes' }, lease)
    expect(claims).toEqual(['a', 'a'])
    await store.close()
  })
})
