import { isProviderName } from '../testing/fixture.js'
import { signedRequest } from '../testing/signed-request.js'
import { duration, EXIT, FailedError, type Io, openStore, parse, PROVIDER_NAMES, secretFor, UsageError } from './context.js'
import { post } from './send.js'
import { waitForRuns } from './wait.js'

export const replayHelp = `webhook-inbox replay <provider> <id> [options]

Runs a stored event's handlers again. By default the event is queued as a replay in the
store and the running server's sweeper runs it (dedupe bypassed, event.replay = true);
this waits for the result. With --url, the stored body is re-signed and POSTed instead,
e.g. to replay yesterday's production event into a local server with its own store.

Options:
  --url <url>        re-send to this server instead of queueing a replay
  --secret <secret>  signing secret for --url (default: $STRIPE_WEBHOOK_SECRET, …)
  --dev              sign with the development secret \`npm start\` uses
  --wait <duration>  how long to wait for the server to run it (default 30s)
  --db <path|url>    the SQLite file, postgres:// or mysql:// URL (default $DATABASE_URL if such a URL,
                     else $WEBHOOK_INBOX_DB or webhooks.db); --schema for Postgres
  --json             print the result as JSON

Examples:
  webhook-inbox replay stripe evt_3MtwBwLkdIwHu7ix0ZzQ0v3F
  webhook-inbox replay github 7b1f… --url http://127.0.0.1:3000/webhooks/github

Exit codes: 0 handlers succeeded (or 2xx answer), 1 failed or not found, 2 bad arguments, 3 no server ran it in time.`

export async function replay(args: string[], io: Io): Promise<number> {
  const { values, positionals } = parse(args, { url: 'string', secret: 'string', dev: 'boolean', wait: 'string' })
  const [provider, eventId] = positionals
  if (provider === undefined || eventId === undefined) throw new UsageError('usage: webhook-inbox replay <provider> <id>')
  const waitMs = duration(values.wait ?? '30s', '--wait')
  const store = await openStore(values, io)
  try {
    const key = { provider, eventId }
    const stored = await store.get(key)
    if (!stored) throw new FailedError(`no ${provider} event ${eventId} in the store`)

    if (values.url !== undefined) {
      if (!isProviderName(provider)) throw new UsageError(`--url re-signs with a built-in scheme (${PROVIDER_NAMES}); ${provider} is none of them`)
      const request = await signedRequest(provider, stored.body, {
        secret: secretFor(provider, values, io),
        url: values.url,
        id: eventId,
        type: stored.headers['x-github-event'] ?? stored.type,
      })
      await post(request, io, values.json, `${provider} ${eventId} (re-sent)`)
      return EXIT.ok
    }

    if (!(await store.requeue(key, { now: Date.now(), reason: 'replay' }))) {
      throw new FailedError(`${provider} ${eventId} is being run right now; replay it once that run ends`)
    }
    const rows = await waitForRuns(store, [key], (row) => !row.replay && row.status !== 'processing', io, waitMs)
    if (!rows) {
      io.err(
        `queued ${provider} ${eventId} for replay; no server ran it within ${values.wait ?? '30s'} (is it running with its sweeper?). ` +
          'It stays queued: the next server started with its sweeper runs it. A queued replay cannot be cancelled.',
      )
      return EXIT.timeout
    }
    const row = rows[0]!
    if (values.json) io.out(JSON.stringify({ provider, eventId, status: row.status, attempts: row.fence, lastError: row.lastError }))
    else io.out(`replayed ${provider} ${eventId}: ${row.status}${row.status === 'processed' ? '' : ` (${row.lastError})`}`)
    return row.status === 'processed' ? EXIT.ok : EXIT.failed
  } finally {
    await store.close()
  }
}
