import { Webhook } from 'standardwebhooks'
import { describe, expect, it } from 'vitest'
import { standardWebhooks, svix } from '../../providers/standard-webhooks.js'
import { createInbox } from '../../src/inbox.js'
import { testProvider } from '../conformance/provider.js'
import { standardWebhooksCase, userCreated } from '../conformance/provider-cases.js'
import { NOW, signedDelivery } from '../helpers.js'
import { tempStore } from '../node-helpers.js'

testProvider(standardWebhooksCase, () => tempStore().store)

describe('standard-webhooks adapter specifics', () => {
  // The test vector of the Standard Webhooks reference libraries (standard-webhooks repo,
  // libraries/javascript/src/index.test.ts), which the Svix libraries share.
  const VECTOR = {
    secret: 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw',
    id: 'msg_p5jXN8AQM9LWM0D4loKWxJek',
    timestamp: 1614265330,
    body: '{"test": 2432232314}',
    signature: 'v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=',
  }
  const secret = standardWebhooksCase.secrets!.current

  function request(body: string, headers: Record<string, string>) {
    return new Request('http://x/standard-webhooks', { method: 'POST', headers, body })
  }

  it('standardWebhooks().sign() reproduces the published test vector', async () => {
    const provider = standardWebhooks({ secret: VECTOR.secret })
    const headers = await provider.sign({ body: VECTOR.body, id: VECTOR.id, timestamp: VECTOR.timestamp })
    expect(headers['webhook-signature']).toBe(VECTOR.signature)
  })

  it('standardWebhooks().verify() checks the published vector, then throws invalid_body since its body has no type', async () => {
    const provider = standardWebhooks({ secret: VECTOR.secret, now: () => VECTOR.timestamp * 1000 })
    const headers = { 'webhook-id': VECTOR.id, 'webhook-timestamp': String(VECTOR.timestamp) }
    const body = new TextEncoder().encode(VECTOR.body)
    await expect(provider.verify(request(VECTOR.body, { ...headers, 'webhook-signature': VECTOR.signature }), body)).rejects.toMatchObject({ code: 'invalid_body' })
    const wrong = VECTOR.signature.replace('g0hM', 'g0hN')
    await expect(provider.verify(request(VECTOR.body, { ...headers, 'webhook-signature': wrong }), body)).rejects.toMatchObject({ code: 'signature_mismatch' })
  })

  it("standardWebhooks().verify() accepts what the official standardwebhooks signer produces", async () => {
    const body = userCreated()
    const signature = new Webhook(secret).sign('msg_official', new Date(NOW), body)
    const headers = { 'webhook-id': 'msg_official', 'webhook-timestamp': String(NOW / 1000), 'webhook-signature': signature }
    const provider = standardWebhooks({ secret, now: () => NOW })
    await expect(provider.verify(request(body, headers), new TextEncoder().encode(body))).resolves.toMatchObject({ id: 'msg_official', type: 'user.created' })
  })

  it('the official standardwebhooks verifier accepts what standardWebhooks().sign() produces', async () => {
    const body = userCreated()
    const headers = await standardWebhooks({ secret }).sign({ body, id: 'msg_ours' })
    expect(new Webhook(secret).verify(body, headers)).toMatchObject({ type: 'user.created' })
  })

  it('svix().sign() sends svix-* headers, and standardWebhooks().verify() accepts them', async () => {
    const body = userCreated()
    const headers = await svix({ secret, now: () => NOW }).sign({ body, id: 'msg_svix' })
    expect(Object.keys(headers)).toEqual(expect.arrayContaining(['svix-id', 'svix-timestamp', 'svix-signature']))
    const provider = standardWebhooks({ secret, now: () => NOW })
    await expect(provider.verify(request(body, headers), new TextEncoder().encode(body))).resolves.toMatchObject({ id: 'msg_svix' })
  })

  it('standardWebhooks().verify() accepts a signature list whose second v1 entry is the matching one', async () => {
    const body = userCreated()
    const provider = standardWebhooks({ secret, now: () => NOW })
    const headers = await provider.sign({ body, id: 'msg_list' })
    headers['webhook-signature'] = `v1a,ignored v1,${btoa('x'.repeat(32))} ${headers['webhook-signature']}`
    await expect(provider.verify(request(body, headers), new TextEncoder().encode(body))).resolves.toMatchObject({ id: 'msg_list' })
  })

  it('standardWebhooks() throws a TypeError for a secret that is not whsec_<base64>', () => {
    expect(() => standardWebhooks({ secret: 'whsec_not base64!' })).toThrow(TypeError)
  })

  it('inbox.fetch() processes two messages with one body but different webhook-id values as two events (the id is signed)', async () => {
    const provider = standardWebhooks({ secret, now: () => NOW })
    const inbox = createInbox({ store: tempStore().store, providers: { 'standard-webhooks': provider }, now: () => NOW })
    const body = userCreated()
    const statuses = []
    for (const id of ['msg_a', 'msg_b']) {
      const response = await inbox.fetch(await signedDelivery(provider, 'standard-webhooks', { body, id }))
      statuses.push(response.headers.get('webhook-inbox-status'))
    }
    expect(statuses).toEqual(['processed', 'processed'])
  })
})
