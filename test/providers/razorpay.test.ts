import { createHmac } from 'node:crypto'
import { describe, expect, it } from 'vitest'
import { razorpay } from '../../providers/razorpay.js'
import { testProvider } from '../conformance/provider.js'

const captured = () =>
  JSON.stringify({
    entity: 'event',
    account_id: 'acc_BFQ7uQEaa7j2z7',
    event: 'payment.captured',
    contains: ['payment'],
    payload: { payment: { entity: { id: 'pay_DESlfW9H8K9uqM', amount: 100, currency: 'INR', status: 'captured' } } },
    created_at: 1567674606,
  })

testProvider({
  name: 'razorpay',
  create: (options) => razorpay(options),
  delivery: (id) => ({ input: { body: captured(), id }, type: 'payment.captured' }),
  withoutId: () => ({ input: { body: captured() }, dropHeader: 'x-razorpay-event-id' }),
  signatureHeader: 'x-razorpay-signature',
  hasTimestamp: false,
})

describe('razorpay adapter specifics', () => {
  it("razorpay().verify() accepts a signature computed as Razorpay's SDK does (hex HMAC-SHA256 of the body)", async () => {
    const body = captured()
    // razorpay-node validateWebhookSignature: createHmac('sha256', secret).update(body).digest('hex')
    const signature = createHmac('sha256', 'rzp_secret').update(body).digest('hex')
    const request = new Request('http://x/razorpay', {
      method: 'POST',
      headers: { 'x-razorpay-signature': signature, 'x-razorpay-event-id': 'KoSjgNbLkM1' },
      body,
    })
    await expect(razorpay({ secret: 'rzp_secret' }).verify(request, new TextEncoder().encode(body))).resolves.toMatchObject({
      id: 'KoSjgNbLkM1',
      type: 'payment.captured',
    })
  })
})
