import '@shopify/shopify-api/adapters/web-api'
import { ApiVersion, shopifyApi } from '@shopify/shopify-api'
import { getHmac } from '@shopify/shopify-api/test-helpers'
import { describe, expect, it } from 'vitest'
import { shopify } from '../../providers/shopify.js'
import { createInbox } from '../../src/inbox.js'
import { testProvider } from '../conformance/provider.js'
import { shopifyCase, shopifyOrder } from '../conformance/provider-cases.js'
import { signedDelivery } from '../helpers.js'
import { tempStore } from '../node-helpers.js'

testProvider(shopifyCase, () => tempStore().store)

describe('shopify adapter specifics', () => {
  const secret = 'shopify-client-secret'
  const body = shopifyOrder()

  it("shopify().verify() accepts an X-Shopify-Hmac-Sha256 made by @shopify/shopify-api's getHmac", async () => {
    const headers = { 'x-shopify-hmac-sha256': getHmac(body, secret), 'x-shopify-topic': 'orders/create', 'x-shopify-webhook-id': 'b54557e4-bdd9-4b37-8a5f-bf7d70bcd043' }
    const request = new Request('http://x/shopify', { method: 'POST', headers, body })
    await expect(shopify({ secret }).verify(request, new TextEncoder().encode(body))).resolves.toMatchObject({
      id: 'b54557e4-bdd9-4b37-8a5f-bf7d70bcd043',
      type: 'orders/create',
    })
  })

  it("@shopify/shopify-api's webhooks.validate() accepts what shopify().sign() produces, headers and all", async () => {
    const api = shopifyApi({ apiKey: 'key', apiSecretKey: secret, scopes: [], hostName: 'localhost', apiVersion: ApiVersion.July25, isEmbeddedApp: false, logger: { level: 0 } })
    const headers = await shopify({ secret }).sign({ body, id: 'wh_1', type: 'orders/create' })
    const rawRequest = new Request('http://localhost/webhooks/shopify', { method: 'POST', headers, body })
    const result = await api.webhooks.validate({ rawBody: body, rawRequest })
    expect(result).toMatchObject({ valid: true, topic: 'ORDERS_CREATE', webhookId: 'wh_1' })
  })

  it('inbox.fetch() processes one body under orders/create and orders/updated as two events, a third topic-mate as a duplicate', async () => {
    const provider = shopify({ secret })
    const inbox = createInbox({ store: tempStore().store, providers: { shopify: provider } })
    const statuses = []
    for (const [id, type] of [['wh_a', 'orders/create'], ['wh_b', 'orders/updated'], ['wh_c', 'orders/updated']] as const) {
      const response = await inbox.fetch(await signedDelivery(provider, 'shopify', { body, id, type }))
      statuses.push(response.headers.get('webhook-inbox-status'))
    }
    expect(statuses).toEqual(['processed', 'processed', 'duplicate'])
  })

  it('shopify().verify() throws malformed_header for a hex signature where Shopify sends base64', async () => {
    const headers = await shopify({ secret }).sign({ body, id: 'wh_hex' })
    headers['x-shopify-hmac-sha256'] = 'a'.repeat(64)
    const request = new Request('http://x/shopify', { method: 'POST', headers, body })
    await expect(shopify({ secret }).verify(request, new TextEncoder().encode(body))).rejects.toMatchObject({ status: 400, code: 'malformed_header' })
  })
})
