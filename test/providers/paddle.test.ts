import { Environment, Paddle } from '@paddle/paddle-node-sdk'
import { createHmac } from 'node:crypto'
import { describe, expect, it } from 'vitest'
import { paddle } from '../../providers/paddle.js'
import { testProvider } from '../conformance/provider.js'
import { paddleCase, paddleEvent } from '../conformance/provider-cases.js'
import { NOW } from '../helpers.js'
import { tempStore } from '../node-helpers.js'

testProvider(paddleCase, () => tempStore().store)

describe('paddle adapter specifics', () => {
  const secret = 'pdl_ntfset_01gkpjp8bkm3tm53kdgkx6sms7_6h3qd3uFSi9YCD3OLYAShQI90XTI5vEI'
  const body = paddleEvent('evt_01hv8x2acma4fzbf5pns7ee1h2')
  const seconds = NOW / 1000

  function verifyWith(header: string, now = NOW) {
    const request = new Request('http://x/paddle', { method: 'POST', headers: { 'paddle-signature': header }, body })
    return paddle({ secret, now: () => now }).verify(request, new TextEncoder().encode(body))
  }

  it("paddle().verify() accepts a signature computed as Paddle's docs describe (hex HMAC-SHA256 of ts:body)", async () => {
    const h1 = createHmac('sha256', secret).update(`${seconds}:${body}`).digest('hex')
    await expect(verifyWith(`ts=${seconds};h1=${h1}`)).resolves.toMatchObject({ id: 'evt_01hv8x2acma4fzbf5pns7ee1h2', type: 'transaction.completed' })
  })

  it("@paddle/paddle-node-sdk's webhooks.isSignatureValid() accepts what paddle().sign() produces, and not another secret's", async () => {
    // The SDK reads the real clock (5 s tolerance), so this one signs at the real time.
    const sdk = new Paddle('pdl_sdbx_apikey_test', { environment: Environment.sandbox }).webhooks
    const ours = (await paddle({ secret }).sign({ body }))['paddle-signature']!
    const other = (await paddle({ secret: 'another-secret' }).sign({ body }))['paddle-signature']!
    expect([await sdk.isSignatureValid(body, secret, ours), await sdk.isSignatureValid(body, secret, other)]).toEqual([true, false])
  })

  it('paddle().verify() accepts a header whose second h1 is the matching one (Paddle rotating its key)', async () => {
    const h1 = createHmac('sha256', secret).update(`${seconds}:${body}`).digest('hex')
    await expect(verifyWith(`ts=${seconds};h1=${'0'.repeat(64)};h1=${h1}`)).resolves.toMatchObject({ id: 'evt_01hv8x2acma4fzbf5pns7ee1h2' })
  })

  it("paddle().verify() throws timestamp_too_old for a signature 6 s old under Paddle's default 5 s tolerance", async () => {
    const headers = await paddle({ secret, now: () => NOW }).sign({ body, timestamp: seconds - 6 })
    await expect(verifyWith(headers['paddle-signature']!)).rejects.toMatchObject({ status: 401, code: 'timestamp_too_old' })
  })

  it('paddle().verify() throws malformed_header for a header with no ts=', async () => {
    await expect(verifyWith(`h1=${'a'.repeat(64)}`)).rejects.toMatchObject({ status: 400, code: 'malformed_header' })
  })
})
