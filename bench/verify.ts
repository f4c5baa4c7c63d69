// Each provider's verify next to the official SDK function it wraps or matches.
import { verify as octokitVerify } from '@octokit/webhooks-methods'
import { createHmac, timingSafeEqual } from 'node:crypto'
import Razorpay from 'razorpay'
import Stripe from 'stripe'
import { github, razorpay, slack, stripe } from '../providers/index.js'
import type { Provider } from '../src/provider.js'
import { SECRET } from './servers/listen.js'

async function opsPerSecond(run: () => unknown, ms = 1000): Promise<number> {
  for (let i = 0; i < 200; i++) await run()
  let ops = 0
  const start = performance.now()
  while (performance.now() - start < ms) {
    for (let i = 0; i < 50; i++) await run()
    ops += 50
  }
  return (ops * 1000) / (performance.now() - start)
}

export async function verifyBench() {
  const body = JSON.stringify({ id: 'evt_1', object: 'event', type: 'invoice.paid', event: 'payment.captured', issue: {}, pad: 'x'.repeat(1900) })
  const bytes = new TextEncoder().encode(body)
  const request = (headers: Record<string, string>) => new Request('http://x/', { method: 'POST', headers, body })
  const ours = async (provider: Provider, id?: string) => {
    const req = request(await provider.sign({ body, ...(id ? { id, type: 'issues' } : {}) }))
    return () => provider.verify(req, bytes)
  }

  const s = stripe({ secret: SECRET })
  const stripeHeader = (await s.sign({ body }))['stripe-signature']!
  const g = github({ secret: SECRET })
  const ghSignature = (await g.sign({ body, id: 'd', type: 'issues' }))['x-hub-signature-256']!
  const sl = slack({ secret: SECRET })
  const slackHeaders = await sl.sign({ body: JSON.stringify({ type: 'event_callback', event_id: 'Ev1', event: { type: 'app_mention' }, pad: 'x'.repeat(1900) }) })
  const r = razorpay({ secret: SECRET })
  const rzpSignature = (await r.sign({ body, id: 'e' }))['x-razorpay-signature']!
  const slackBody = JSON.stringify({ type: 'event_callback', event_id: 'Ev1', event: { type: 'app_mention' }, pad: 'x'.repeat(1900) })
  const slackReq = new Request('http://x/', { method: 'POST', headers: slackHeaders, body: slackBody })
  const slackBytes = new TextEncoder().encode(slackBody)

  return [
    {
      ours: 'stripe().verify()',
      oursOps: await opsPerSecond(await ours(s)),
      sdk: 'Stripe.webhooks.constructEvent (node:crypto)',
      sdkOps: await opsPerSecond(() => Stripe.webhooks.constructEvent(body, stripeHeader, SECRET)),
    },
    {
      ours: 'github().verify()',
      oursOps: await opsPerSecond(await ours(g, 'd')),
      sdk: '@octokit/webhooks-methods verify',
      sdkOps: await opsPerSecond(() => octokitVerify(SECRET, body, ghSignature)),
    },
    {
      ours: 'slack().verify()',
      oursOps: await opsPerSecond(() => sl.verify(slackReq, slackBytes)),
      sdk: 'node:crypto HMAC + timingSafeEqual (Slack ships no standalone verifier)',
      sdkOps: await opsPerSecond(() => {
        const expected = Buffer.from(`v0=${createHmac('sha256', SECRET).update(`v0:${slackHeaders['x-slack-request-timestamp']}:${slackBody}`).digest('hex')}`)
        return timingSafeEqual(expected, Buffer.from(slackHeaders['x-slack-signature']!))
      }),
    },
    {
      ours: 'razorpay().verify()',
      oursOps: await opsPerSecond(await ours(r, 'e')),
      sdk: 'Razorpay.validateWebhookSignature',
      sdkOps: await opsPerSecond(() => Razorpay.validateWebhookSignature(body, rzpSignature, SECRET)),
    },
  ]
}
