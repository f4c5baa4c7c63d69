import { createHmac } from 'node:crypto'
import { describe, expect, it } from 'vitest'
import { razorpay } from '../../providers/razorpay.js'
import { testProvider } from '../conformance/provider.js'
import { razorpayCase, razorpayCaptured } from '../conformance/provider-cases.js'
import { tempStore } from '../node-helpers.js'

testProvider(razorpayCase, () => tempStore().store)

describe('razorpay adapter specifics', () => {
  it("razorpay().verify() accepts a signature computed as Razorpay's SDK does (hex HMAC-SHA256 of the body)", async () => {
    const body = razorpayCaptured()
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
