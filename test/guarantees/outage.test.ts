import Database from 'better-sqlite3'
import { describe, expect, it } from 'vitest'
import { stripe } from '../../providers/stripe.js'
import { createInbox } from '../../src/inbox.js'
import { sqliteStore } from '../../src/stores/sqlite/index.js'
import { NOW, signedDelivery } from '../helpers.js'
import { onCleanup, tempStore } from '../node-helpers.js'

describe('store outage', () => {
  it('inbox.fetch() answers 503 while another process holds the database locked, writes nothing, and processes the next delivery once it is free', async () => {
    const { path } = tempStore()
    const store = sqliteStore({ path, busyTimeoutMs: 50 })
    onCleanup(() => store.close())
    const provider = stripe({ secret: 'outage', now: () => NOW })
    const inbox = createInbox({ store, providers: { stripe: provider }, now: () => NOW })
    const codes: string[] = []
    inbox.onError((error) => void codes.push(error.code))
    let calls = 0
    inbox.onAny(() => void calls++)
    const body = JSON.stringify({ id: 'evt_outage', object: 'event', type: 'charge.succeeded' })

    const locker = new Database(path)
    onCleanup(() => void locker.close())
    locker.exec('BEGIN EXCLUSIVE')
    const during = await inbox.fetch(await signedDelivery(provider, 'stripe', { body }))
    expect([during.status, during.headers.get('webhook-inbox-status')]).toEqual([503, 'failed'])
    expect(codes).toEqual(['store_unavailable'])
    locker.exec('ROLLBACK')

    expect(await store.get({ provider: 'stripe', eventId: 'evt_outage' })).toBeUndefined()
    expect(calls).toBe(0)
    const after = await inbox.fetch(await signedDelivery(provider, 'stripe', { body }))
    expect(after.status).toBe(200)
    expect(calls).toBe(1)
  })

  it("sqliteStore({ durability: 'full' }) fsyncs every commit (synchronous = FULL); the default is NORMAL", () => {
    const full = sqliteStore({ path: tempStore().path, durability: 'full' })
    const normal = sqliteStore({ path: tempStore().path })
    onCleanup(() => full.close())
    onCleanup(() => normal.close())
    // SQLite reports synchronous as a number: 1 = NORMAL, 2 = FULL.
    expect(full.database.pragma('synchronous', { simple: true })).toBe(2)
    expect(normal.database.pragma('synchronous', { simple: true })).toBe(1)
  })
})
