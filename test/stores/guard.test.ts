import { DrizzleQueryError } from 'drizzle-orm/errors'
import { describe, expect, it } from 'vitest'
import { github } from '../../providers/index.js'
import type { WebhookError } from '../../src/errors.js'
import { createInbox } from '../../src/inbox.js'
import { sqliteStore } from '../../src/stores/sqlite/index.js'
import { signedDelivery } from '../helpers.js'
import { onCleanup, tempStore } from '../node-helpers.js'

const provider = github({ secret: 'guard-secret' })

describe('store failures reach answers and logs without query parameters', () => {
  it('inbox.fetch() answers 503 store_unavailable to a failing claim with neither the body nor the signature in the answer, the error or its cause', async () => {
    const { path } = tempStore()
    const store = sqliteStore({ path })
    onCleanup(() => store.close())
    // A real driver failure: drizzle wraps it with the SQL and every parameter in its message.
    store.database.exec('DROP TABLE webhook_events')
    const inbox = createInbox({ store, providers: { github: provider } })
    const errors: WebhookError[] = []
    inbox.onError((error) => void errors.push(error))
    const body = JSON.stringify({ action: 'opened', issue: { title: 'customer-secret-4242' } })
    const request = await signedDelivery(provider, 'github', { body, id: 'gh-guard', type: 'issues' })
    const signature = request.headers.get('x-hub-signature-256')!
    const response = await inbox.fetch(request)
    const text = await response.text()
    expect([response.status, JSON.parse(text).code]).toEqual([503, 'store_unavailable'])
    expect(errors).toHaveLength(1)
    const cause = errors[0]!.cause as Error
    for (const leaked of [text, errors[0]!.message, cause.message, String(cause.cause ?? '')]) {
      expect(leaked).not.toContain('customer-secret-4242')
      expect(leaked).not.toContain(signature.slice(7, 30))
    }
    expect(cause.message).toContain('no such table')
  })

  it("inbox.fetch() keeps the parameters of drizzle's DrizzleQueryError (as D1 raises it) out of the answer and the error's cause", async () => {
    const { store } = tempStore()
    const body = JSON.stringify({ action: 'opened', issue: { title: 'customer-secret-4242' } })
    const failing = {
      ...store,
      claim: () =>
        Promise.reject(new DrizzleQueryError('insert into "webhook_events" values (?, ?)', [body, 'sha256=0ff1ce'], new Error('D1_ERROR: string or blob too big: SQLITE_TOOBIG'))),
    }
    const inbox = createInbox({ store: failing, providers: { github: provider } })
    const errors: WebhookError[] = []
    inbox.onError((error) => void errors.push(error))
    const response = await inbox.fetch(await signedDelivery(provider, 'github', { body, id: 'gh-d1', type: 'issues' }))
    const text = await response.text()
    expect(response.status).toBe(503)
    const cause = errors[0]!.cause as Error
    for (const leaked of [text, errors[0]!.message, cause.message, JSON.stringify(cause)]) {
      expect(leaked).not.toContain('customer-secret-4242')
      expect(leaked).not.toContain('0ff1ce')
    }
    expect(cause.message).toBe('D1_ERROR: string or blob too big: SQLITE_TOOBIG')
  })

  it('inbox.sweep() rejects with code store_unavailable when the sweeper cannot lease an event', async () => {
    const { store } = tempStore()
    await store.claim({ provider: 'github', eventId: 'gh-due', type: 'issues.opened', body: '{}', headers: {} }, { now: 0, leaseMs: 1, queue: true })
    const inbox = createInbox({ store: { ...store, takeDue: () => Promise.reject(new Error('disk I/O error')) }, providers: { github: provider } })
    await expect(inbox.sweep()).rejects.toMatchObject({ code: 'store_unavailable', status: 503 })
  })
})
