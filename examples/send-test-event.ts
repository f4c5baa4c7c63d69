// Signs a sample event with the example's secrets and POSTs it twice to the running example
// on http://127.0.0.1:$PORT (3000: `npm start`; 8787: `npm run worker:dev`): the first answer
// is "processed" ("queued" from the Worker), the second "duplicate". Each sample is one the
// examples' handlers (examples/handlers.ts) print a line for. Exits 1 when the server cannot
// be reached or answers anything but 2xx.
// Usage: npm run send -- [provider]   (any built-in provider; stripe by default)
import { BUILT_IN_PROVIDERS } from '../providers/registry.js'
import { fixture, type FixtureName, isProviderName, type ProviderName, signedRequest } from '../src/testing/index.js'
import { markTestRun } from '../src/testing/test-run.js'
import { examplePort, exampleSecrets, PROVIDER_NAMES } from './dev-secrets.js'

/** The sample each provider sends: the event examples/handlers.ts handles for it. */
const SAMPLES: { [P in ProviderName]: FixtureName<P> } = {
  stripe: 'payment_intent.succeeded',
  github: 'issues.opened',
  slack: 'app_mention',
  razorpay: 'payment.captured',
  'standard-webhooks': 'user.created',
  svix: 'user.created',
  clerk: 'user.created',
  resend: 'email.delivered',
  shopify: 'orders/create',
  paddle: 'transaction.completed',
  linear: 'Issue.create',
  gitlab: 'merge_request.merge',
}

const argument = process.argv[2] ?? 'stripe'
if (!isProviderName(argument)) {
  console.error(`unknown provider "${argument}"; use ${PROVIDER_NAMES.join(', ')}`)
  process.exit(2)
}
const name: ProviderName = argument
const server = `http://127.0.0.1:${examplePort()}`
// Only `npm start`'s own address gets `npm start` as advice: anything else (the Worker under
// wrangler dev, Bun, Deno) is another server, which that command would not start or fix.
const isNpmStart = server === 'http://127.0.0.1:3000'
const where = isNpmStart ? 'the example server' : `the server at ${server}`
const sampleOf = <P extends ProviderName>(provider: P) => fixture(provider, SAMPLES[provider])
const sample = sampleOf(name)
// A new event each run (fresh id and body), so the first delivery is new even against an old webhooks.db.
const id = markTestRun(sample)
const request = await signedRequest(name, sample, { secret: exampleSecrets().secrets[name], id, url: `${server}/webhooks/${name}` })
const body = await request.text()
console.log(`sending ${name} ${SAMPLES[name]} (event ${id}) to ${request.url}`)

/** The line that says why an answer is not 2xx, from its status and the inbox's error code. */
function refusal(status: number, text: string) {
  let code: unknown
  try {
    code = (JSON.parse(text) as { code?: unknown }).code
  } catch {
    // Not the inbox's JSON (a proxy's page, another app): the status says enough.
  }
  if (code === 'unknown_provider') return `${where} has no provider "${name}"`
  const variable = BUILT_IN_PROVIDERS[name].secretVariable
  if (status === 401) return `${where} rejected the signature: it needs the ${variable} send signed with (${process.env[variable] ? 'yours' : 'the development one, as in .dev.vars.example'})`
  return `${where} answered ${status}${typeof code === 'string' ? ` ${code}` : ''}, not 2xx`
}

// The same signed request twice, byte for byte: a redelivery.
for (const attempt of ['first delivery', 'redelivery']) {
  const response = await fetch(new Request(request.url, { method: 'POST', headers: request.headers, body })).catch((error: Error) => {
    // One line, like the CLI, instead of undici's stack: the usual cause is no server running.
    const code = (error.cause as { code?: string } | undefined)?.code ?? error.message
    console.error(`cannot reach ${request.url} (${code}): is ${where} running?${isNpmStart ? ' Start it with npm start' : ''}`)
    process.exit(1)
  })
  const text = await response.text()
  console.log(`${attempt}: ${response.status} ${text}`)
  if (!response.ok) {
    console.error(refusal(response.status, text))
    process.exit(1)
  }
}
