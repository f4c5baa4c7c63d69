// Signs a sample event with the example's secrets and POSTs it twice to the running
// example (`npm start`): the first answer is "processed", the second "duplicate".
// Usage: npm run send -- [stripe|github|slack|razorpay]
import { fixture, isProviderName, signedRequest } from '../src/testing/index.js'
import { examplePort, exampleSecrets } from './dev-secrets.js'

const name = process.argv[2] ?? 'stripe'
if (!isProviderName(name)) {
  console.error(`unknown provider "${name}"; use stripe, github, slack or razorpay`)
  process.exit(2)
}
// A fresh id each run, so the first delivery is new even against an old webhooks.db.
const id = `test_${Date.now().toString(36)}${Math.random().toString(36).slice(2, 8)}`
// An event examples/node.ts handles, so its server logs a line (GitHub's first fixture, ping, has no handler).
const HANDLED = { stripe: 'payment_intent.succeeded', github: 'issues.opened', slack: 'app_mention', razorpay: 'payment.captured' } as const
const sample = fixture(name, HANDLED[name] as never)
// GitHub and Razorpay carry the id in a header the signature does not cover, and the inbox
// dedupes on the signed body too: mark the body so this run's first delivery is new.
if (name === 'github' || name === 'razorpay') sample.webhook_inbox_test_run = id
const options = { secret: exampleSecrets().secrets[name], id, url: `http://127.0.0.1:${examplePort()}/webhooks/${name}` }
for (const attempt of ['first delivery', 'redelivery']) {
  const response = await fetch(await signedRequest(name, sample, options)).catch((error: Error) => {
    // One line, like the CLI, instead of undici's stack: the usual cause is no server running.
    const code = (error.cause as { code?: string } | undefined)?.code ?? error.message
    console.error(`cannot reach ${options.url} (${code}): is the example server running? Start it with npm start`)
    process.exit(1)
  })
  console.log(`${attempt}: ${response.status} ${await response.text()}`)
}
