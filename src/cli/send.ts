import { readFileSync } from 'node:fs'
import { fixture, fixtureNames, type FixtureName, type ProviderName } from '../testing/fixture.js'
import { BUILT_IN_PROVIDERS } from '../../providers/registry.js'
import { signedRequest } from '../testing/signed-request.js'
import { markTestRun } from '../testing/test-run.js'
import { defaultUrl, FailedError, type Io, parse, providerName, secretFor, UsageError } from './context.js'

export const sendHelp = `webhook-inbox send <provider> <fixture-or-file> [options]

Signs a sample event, or a JSON file, as the provider would and POSTs it. Each send is a
new event (a fresh id, also marked in the JSON body); with --id it is that event, and the
same bytes sent again are answered duplicate.

Options:
  --url <url>        where to send it (default http://127.0.0.1:$PORT/webhooks/<provider>, PORT=3000)
  --secret <secret>  signing secret (default: $STRIPE_WEBHOOK_SECRET, $GITHUB_WEBHOOK_SECRET, …)
  --dev              sign with the development secret \`npm start\` uses when those are unset
  --id <id>          send (or redeliver) this event id, with no fresh mark in the body
  --type <event>     for a file, the type where it is a header: GitHub's X-GitHub-Event, Shopify's topic (fixtures know theirs)
  --json             print the answer as JSON

Examples:
  webhook-inbox send stripe payment_intent.succeeded --dev
  webhook-inbox send github push --url http://127.0.0.1:8787/webhooks/github
  webhook-inbox send razorpay ./captured.json --secret "$RAZORPAY_WEBHOOK_SECRET"

Exit codes: 0 answered 2xx, 1 answered otherwise or unreachable, 2 bad arguments.`

function readPayload(provider: ProviderName, source: string): unknown {
  let text: string
  try {
    text = readFileSync(source, 'utf8')
  } catch (error) {
    const names = fixtureNames(provider).join(', ')
    throw new UsageError(`"${source}" is neither a ${provider} fixture (${names}) nor a readable file (${(error as NodeJS.ErrnoException).code})`)
  }
  try {
    return JSON.parse(text) as unknown
  } catch {
    return text
  }
}

const isObject = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null && !Array.isArray(value)

/** POSTs a signed request and reports the answer; shared with `replay --url`. */
export async function post(request: Request, io: Io, json: boolean | undefined, label: string) {
  let response: Response
  try {
    response = await fetch(request)
  } catch (error) {
    throw new FailedError(`could not reach ${request.url} (${(error as Error).cause ?? (error as Error).message}); is the server running?`)
  }
  const body = await response.text()
  const status = response.headers.get('webhook-inbox-status')
  if (json) io.out(JSON.stringify({ url: request.url, label, status: response.status, inboxStatus: status, body }))
  else io.out(`${response.status} ${status ?? ''} ${label}\n${body}`.replace(/ {2,}/, ' '))
  if (!response.ok) throw new FailedError(`${request.url} answered ${response.status}`)
}

export async function send(args: string[], io: Io) {
  const { values, positionals } = parse(args, {
    url: 'string',
    secret: 'string',
    dev: 'boolean',
    id: 'string',
    type: 'string',
  })
  const provider = providerName(positionals[0])
  const source = positionals[1]
  if (source === undefined) throw new UsageError('missing <fixture-or-file>')
  const isFixture = fixtureNames(provider).includes(source)
  const { typeHeader } = BUILT_IN_PROVIDERS[provider]
  if (typeHeader !== undefined && values.type === undefined && !isFixture) {
    throw new UsageError(`a ${provider} file needs --type <${typeHeader} value>, e.g. --type ${fixtureNames(provider)[0]}`)
  }
  const payload = isFixture ? fixture(provider, source as FixtureName<typeof provider>) : readPayload(provider, source)
  const id = values.id ?? (isObject(payload) ? markTestRun(payload) : undefined)
  const request = await signedRequest(provider, payload, {
    secret: secretFor(provider, values, io),
    url: values.url ?? defaultUrl(provider, io),
    ...(id === undefined ? {} : { id }),
    ...(values.type === undefined ? {} : { type: values.type }),
  })
  await post(request, io, values.json, `${provider} ${source}`)
}
