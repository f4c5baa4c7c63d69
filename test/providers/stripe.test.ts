import Stripe from 'stripe'
import { describe, expect, it } from 'vitest'
import { stripe } from '../../providers/stripe.js'
import { testProvider } from '../conformance/provider.js'
import { stripeCase, stripeEvent } from '../conformance/provider-cases.js'
import { tempStore } from '../node-helpers.js'
import { NOW, signedDelivery } from '../helpers.js'
import { createInbox } from '../../src/inbox.js'

testProvider(stripeCase, () => tempStore().store)

describe('stripe adapter specifics', () => {
  const secret = 'whsec_test_secret'
  const provider = stripe({ secret, now: () => NOW })
  const seconds = NOW / 1000
  const body = stripeEvent('evt_1')

  async function verifyWith(header: string) {
    const request = new Request('http://x/stripe', { method: 'POST', headers: { 'stripe-signature': header }, body })
    return provider.verify(request, new TextEncoder().encode(body))
  }

  it("stripe().verify() accepts a header made by Stripe's own generateTestHeaderStringAsync", async () => {
    const header = await Stripe.webhooks.generateTestHeaderStringAsync({
      payload: body,
      secret,
      timestamp: seconds,
      cryptoProvider: Stripe.createSubtleCryptoProvider(),
    })
    await expect(verifyWith(header)).resolves.toMatchObject({ id: 'evt_1', type: 'payment_intent.succeeded' })
  })

  it('stripe().verify() accepts a header whose second v1 signature is the matching one', async () => {
    const header = (await provider.sign({ body }))['stripe-signature']!
    const [t, v1] = header.split(',')
    await expect(verifyWith(`${t},v1=${'0'.repeat(64)},${v1}`)).resolves.toMatchObject({ id: 'evt_1' })
  })

  it('stripe().verify() throws malformed_header for a non-numeric t= that Stripe alone would parse as a number', async () => {
    const header = (await provider.sign({ body }))['stripe-signature']!
    await expect(verifyWith(header.replace(/^t=(\d+)/, 't=$1abc'))).rejects.toMatchObject({ status: 400, code: 'malformed_header' })
  })

  it('stripe().verify() throws malformed_header for a header with only v0 signatures', async () => {
    await expect(verifyWith(`t=${seconds},v0=${'a'.repeat(64)}`)).rejects.toMatchObject({ code: 'malformed_header' })
  })

  it('stripe().verify() throws 400 malformed_header saying the v1= signature is malformed, not missing, for t=1,v1=abc', async () => {
    const error = await verifyWith('t=1,v1=abc').catch((e: unknown) => e)
    expect(error).toMatchObject({ status: 400, code: 'malformed_header' })
    // The defect was the message: it said the header had no v1= signature at all.
    expect((error as Error).message).toContain('v1= signature is malformed: 3 characters')
    expect((error as Error).message).not.toContain('abc')
  })

  it('stripe().verify() throws timestamp_in_future for a signature 10 minutes ahead, which Stripe alone accepts', async () => {
    const header = (await provider.sign({ body, timestamp: seconds + 600 }))['stripe-signature']!
    await expect(verifyWith(header)).rejects.toMatchObject({ status: 401, code: 'timestamp_in_future' })
  })

  it('stripe().verify() never puts the secret or the body in its error message', async () => {
    const error = await verifyWith(`t=${seconds},v1=${'0'.repeat(64)}`).catch((e: unknown) => e)
    expect(error).toMatchObject({ code: 'signature_mismatch' })
    expect(String((error as Error).message)).not.toContain(secret)
    expect(String((error as Error).message)).not.toContain('pi_3Q')
  })

  it('stripe() throws a TypeError when the secret is empty', () => {
    expect(() => stripe({ secret: '' })).toThrow(TypeError)
    expect(() => stripe({ secret: [] })).toThrow(TypeError)
  })

  it('inbox.fetch() stores a Stripe event without its stripe-signature header, and its handler still gets the payload on a retry', async () => {
    const { store } = tempStore()
    const provider = stripe({ secret: 'whsec_store', now: () => NOW })
    const inbox = createInbox({ store, providers: { stripe: provider }, now: () => NOW })
    inbox.onError(() => {})
    const payloads: unknown[] = []
    inbox.onAny((event) => {
      payloads.push(event.payload)
      if (payloads.length === 1) throw new Error('once')
    })
    await inbox.fetch(await signedDelivery(provider, 'stripe', { body: stripeEvent('evt_headers') }))
    expect((await store.get({ provider: 'stripe', eventId: 'evt_headers' }))?.headers).toEqual({})
    await store.requeueAll('failed', NOW)
    await inbox.sweep()
    expect(payloads[1]).toMatchObject({ id: 'evt_headers' })
  })
})
