import { LinearWebhookClient } from '@linear/sdk/webhooks'
import { createHmac } from 'node:crypto'
import { describe, expect, it } from 'vitest'
import { linear } from '../../providers/linear.js'
import { testProvider } from '../conformance/provider.js'
import { linearCase, linearIssue } from '../conformance/provider-cases.js'
import { NOW } from '../helpers.js'
import { tempStore } from '../node-helpers.js'

testProvider(linearCase, () => tempStore().store)

describe('linear adapter specifics', () => {
  const secret = 'lin_wh_signing_secret'

  function request(body: string, headers: Record<string, string>) {
    return new Request('http://x/linear', { method: 'POST', headers, body })
  }

  it("linear().verify() accepts a signature computed as Linear's docs show (hex HMAC-SHA256 of the raw body)", async () => {
    const body = linearIssue()
    const signature = createHmac('sha256', secret).update(body).digest('hex')
    const verified = linear({ secret, now: () => NOW }).verify(request(body, { 'linear-signature': signature, 'linear-delivery': 'd-1' }), new TextEncoder().encode(body))
    await expect(verified).resolves.toMatchObject({ id: 'd-1', type: 'Issue.create' })
  })

  it("@linear/sdk's LinearWebhookClient.verify() accepts what linear().sign() produces", async () => {
    // The SDK checks webhookTimestamp against the real clock, so the body carries the real time.
    const body = linearIssue(Math.floor(Date.now() / 1000))
    const headers = await linear({ secret }).sign({ body, id: 'd-2', type: 'Issue.create' })
    expect(new LinearWebhookClient(secret).verify(Buffer.from(body), headers['linear-signature']!)).toBe(true)
  })

  it('linear().verify() takes the type from the signed body, not the Linear-Event header', async () => {
    const body = linearIssue()
    const headers = await linear({ secret }).sign({ body, id: 'd-3' })
    headers['linear-event'] = 'Comment'
    await expect(linear({ secret, now: () => NOW }).verify(request(body, headers), new TextEncoder().encode(body))).resolves.toMatchObject({ type: 'Issue.create' })
  })

  it("linear().verify() throws timestamp_too_old for a webhookTimestamp 61 s old under the SDK's 60 s default", async () => {
    const body = linearIssue(NOW / 1000 - 61)
    const headers = await linear({ secret }).sign({ body, id: 'd-4' })
    await expect(linear({ secret, now: () => NOW }).verify(request(body, headers), new TextEncoder().encode(body))).rejects.toMatchObject({ code: 'timestamp_too_old' })
  })

  it('linear().verify() throws invalid_body for a signed body without webhookTimestamp', async () => {
    const body = JSON.stringify({ action: 'create', type: 'Issue', data: {} })
    const headers = await linear({ secret }).sign({ body, id: 'd-5' })
    await expect(linear({ secret, now: () => NOW }).verify(request(body, headers), new TextEncoder().encode(body))).rejects.toMatchObject({ status: 400, code: 'invalid_body' })
  })
})
