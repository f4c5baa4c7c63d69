// Signs a sample event with the example's secrets and POSTs it twice to the
// running example (`npm start`): the first answer is "processed", the second
// "duplicate". Usage: npm run send -- [stripe|github|slack|razorpay]
import { github, razorpay, slack, stripe } from '../providers/index.js'
import type { Provider, SignInput } from '../providers/types.js'
import { type ExampleProvider, examplePort, exampleSecrets } from './dev-secrets.js'

const { secrets } = exampleSecrets()
const id = `${Date.now().toString(36)}${Math.random().toString(36).slice(2, 8)}`

const samples: Record<ExampleProvider, { provider: Provider; input: SignInput }> = {
  stripe: {
    provider: stripe({ secret: secrets.stripe }),
    input: {
      body: JSON.stringify({
        id: `evt_${id}`,
        object: 'event',
        type: 'payment_intent.succeeded',
        data: { object: { id: `pi_${id}`, object: 'payment_intent', amount: 2000, currency: 'usd' } },
      }),
    },
  },
  github: {
    provider: github({ secret: secrets.github }),
    input: {
      id: crypto.randomUUID(),
      type: 'issues',
      body: JSON.stringify({ action: 'opened', issue: { number: 1, title: 'Hello' }, repository: { full_name: 'octo/demo' } }),
    },
  },
  slack: {
    provider: slack({ secret: secrets.slack }),
    input: {
      body: JSON.stringify({ type: 'event_callback', event_id: `Ev${id}`, team_id: 'T1', event: { type: 'app_mention', text: 'hi' } }),
    },
  },
  razorpay: {
    provider: razorpay({ secret: secrets.razorpay }),
    input: {
      id: `evt_${id}`,
      body: JSON.stringify({
        entity: 'event',
        event: 'payment.captured',
        contains: ['payment'],
        payload: { payment: { entity: { id: `pay_${id}`, amount: 100, currency: 'INR' } } },
      }),
    },
  },
}

const name = (process.argv[2] ?? 'stripe') as ExampleProvider
const sample = samples[name]
if (!sample) {
  console.error(`unknown provider "${name}"; use one of: ${Object.keys(samples).join(', ')}`)
  process.exit(2)
}
const url = `http://127.0.0.1:${examplePort()}/webhooks/${name}`
const headers = await sample.provider.sign(sample.input)
for (const attempt of ['first delivery', 'redelivery']) {
  const response = await fetch(url, { method: 'POST', headers, body: sample.input.body })
  console.log(`${attempt}: ${response.status} ${await response.text()}`)
}
