// docs/testing.md's "Testing your handlers" example, with this repository's import paths.
import { expect, it } from 'vitest'
import { stripe } from '../providers/index.js'
import { createInbox } from '../src/index.js'
import { sqliteStore } from '../src/stores/sqlite/index.js'
import { fixture, signedRequest } from '../src/testing/index.js'

it('marks the order paid once, however often Stripe delivers', async () => {
  const inbox = createInbox({ store: sqliteStore({ path: ':memory:' }), providers: { stripe: stripe({ secret: 'whsec_test' }) } })
  const paid: string[] = []
  inbox.on('stripe', 'payment_intent.succeeded', (event) => void paid.push(event.payload.data.object.id))

  const event = fixture('stripe', 'payment_intent.succeeded')
  const first = await inbox.fetch(await signedRequest('stripe', event, { secret: 'whsec_test' }))
  const again = await inbox.fetch(await signedRequest('stripe', event, { secret: 'whsec_test' }))

  expect([first.status, again.headers.get('webhook-inbox-status')]).toEqual([200, 'duplicate'])
  expect(paid).toEqual(['pi_3MtwBwLkdIwHu7ix28a3tqPa'])
})
