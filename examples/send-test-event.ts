// Signs a sample event with the example's secrets and POSTs it twice to the running
// example (`npm start`): the first answer is "processed", the second "duplicate".
// Usage: npm run send -- [stripe|github|slack|razorpay]
import { fixture, fixtureNames, isProviderName, signedRequest } from '../src/testing/index.js'
import { examplePort, exampleSecrets } from './dev-secrets.js'

const name = process.argv[2] ?? 'stripe'
if (!isProviderName(name)) {
  console.error(`unknown provider "${name}"; use stripe, github, slack or razorpay`)
  process.exit(2)
}
// A fresh id each run, so the first delivery is new even against an old webhooks.db.
const id = `test_${Date.now().toString(36)}${Math.random().toString(36).slice(2, 8)}`
const sample = fixture(name, fixtureNames(name)[0] as never)
// GitHub and Razorpay carry the id in a header the signature does not cover, and the inbox
// dedupes on the signed body too: mark the body so this run's first delivery is new.
if (name === 'github' || name === 'razorpay') sample.webhook_inbox_test_run = id
const options = { secret: exampleSecrets().secrets[name], id, url: `http://127.0.0.1:${examplePort()}/webhooks/${name}` }
for (const attempt of ['first delivery', 'redelivery']) {
  const response = await fetch(await signedRequest(name, sample, options))
  console.log(`${attempt}: ${response.status} ${await response.text()}`)
}
