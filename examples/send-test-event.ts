// Signs a sample event with the example's secrets and POSTs it twice to the running
// example (`npm start`): the first answer is "processed", the second "duplicate".
// Usage: npm run send -- [provider]   (any built-in provider; stripe by default)
import { fixture, fixtureNames, isProviderName, signedRequest } from '../src/testing/index.js'
import { markTestRun } from '../src/testing/test-run.js'
import { examplePort, exampleSecrets, PROVIDER_NAMES } from './dev-secrets.js'

const name = process.argv[2] ?? 'stripe'
if (!isProviderName(name)) {
  console.error(`unknown provider "${name}"; use ${PROVIDER_NAMES.join(', ')}`)
  process.exit(2)
}
// An event examples/node.ts handles, so its server logs a line (GitHub's first fixture, ping, has none).
const HANDLED: Partial<Record<typeof name, string>> = { stripe: 'payment_intent.succeeded', github: 'issues.opened', slack: 'app_mention', razorpay: 'payment.captured' }
const sample = fixture(name, (HANDLED[name] ?? fixtureNames(name)[0]) as never)
// A new event each run (fresh id and body), so the first delivery is new even against an old webhooks.db.
const id = markTestRun(sample)
const options = { secret: exampleSecrets().secrets[name], id, url: `http://127.0.0.1:${examplePort()}/webhooks/${name}` }
const request = await signedRequest(name, sample, options)
const body = await request.text()
// The same signed request twice, byte for byte: a redelivery.
for (const attempt of ['first delivery', 'redelivery']) {
  const response = await fetch(new Request(request.url, { method: 'POST', headers: request.headers, body })).catch((error: Error) => {
    // One line, like the CLI, instead of undici's stack: the usual cause is no server running.
    const code = (error.cause as { code?: string } | undefined)?.code ?? error.message
    console.error(`cannot reach ${options.url} (${code}): is the example server running? Start it with npm start`)
    process.exit(1)
  })
  console.log(`${attempt}: ${response.status} ${await response.text()}`)
}
