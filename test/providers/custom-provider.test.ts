// docs/providers.md's "Write your own provider" example, proven by the exported conformance suite
// (webhook-inbox/testing/vitest) exactly as that page tells users to.
import { acme } from '../../examples/custom-provider.js'
import { testProvider } from '../../src/testing/vitest.js'
import { tempStore } from '../node-helpers.js'

const body = (id?: string) => JSON.stringify({ ...(id && { id }), kind: 'order.paid', data: {} })

testProvider(
  {
    name: 'acme',
    create: (options) => acme(options),
    delivery: (id) => ({ input: { body: body(id) }, type: 'order.paid' }),
    withoutId: () => ({ input: { body: body() } }),
    signatureHeader: 'x-acme-signature',
    hasTimestamp: false,
  },
  () => tempStore().store,
)
