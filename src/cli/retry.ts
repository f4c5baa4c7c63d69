import { duration, EXIT, type Io, openStore, parse } from './context.js'
import { waitForRuns } from './wait.js'

/** Events one retry waits for: each is polled until its run ends, so past this many the rest run unwatched. */
export const WATCH_LIMIT = 1000

export const retryHelp = `webhook-inbox retry [--dead] [options]

Makes failed events due now, skipping what is left of their backoff; with --dead, gives
dead-lettered events a fresh set of attempts instead. The running server's sweeper runs
them; this waits for the newest ${WATCH_LIMIT} of them and shows progress (the rest are
made due all the same).

Options:
  --dead             retry dead-lettered events (default: failed ones)
  --wait <duration>  how long to wait for the server (default 60s; 0s returns at once)
  --db <path|url>    the SQLite file, postgres:// or mysql:// URL (default $DATABASE_URL if such a URL,
                     else $WEBHOOK_INBOX_DB or webhooks.db); --schema for Postgres
  --json             print the result as JSON

Examples:
  webhook-inbox retry
  webhook-inbox retry --dead --wait 5m

Exit codes: 0 all processed, 1 some failed again, 2 bad arguments, 3 not all ran in time.`

export async function retry(args: string[], io: Io): Promise<number> {
  const { values } = parse(args, { dead: 'boolean', wait: 'string' })
  const status = values.dead ? 'dead' : 'failed'
  const waitMs = duration(values.wait ?? '60s', '--wait')
  const store = await openStore(values, io)
  try {
    const report = (result: object, line: string) => (values.json ? io.out(JSON.stringify(result)) : io.out(line))
    if (waitMs === 0) {
      const count = await store.requeueAll(status, Date.now())
      report({ status, requeued: count }, `${count} ${status} event(s) made due now`)
      return EXIT.ok
    }
    // Summaries: keys and fences only, however large the bodies.
    const watched = await store.list({ status, limit: WATCH_LIMIT })
    const fences = new Map(watched.map((e) => [e.eventId + '\u0000' + e.provider, e.fence]))
    const count = await store.requeueAll(status, Date.now())
    if (count === 0) {
      report({ status, requeued: 0 }, `0 ${status} event(s) made due now`)
      return EXIT.ok
    }
    const keys = watched.map(({ provider, eventId }) => ({ provider, eventId }))
    const unwatched = count > keys.length ? ` (watched the newest ${keys.length} of the ${count} made due)` : ''
    // The fence only grows, so a higher one than before means a run ended since.
    const rows = await waitForRuns(
      store,
      keys,
      (row, key) => row.status !== 'processing' && row.fence > fences.get(key.eventId + '\u0000' + key.provider)!,
      io,
      waitMs,
    )
    if (!rows) {
      io.err(`${count} ${status} event(s) made due now; not all ran within ${values.wait ?? '60s'}${unwatched} (is the server running with its sweeper?)`)
      return EXIT.timeout
    }
    // Counted over the events watched: the sweeper may take one between the list and the requeue.
    const processed = rows.filter((r) => r.status === 'processed').length
    // An ordered event older than its entity's processed version settles stale: not a failure.
    const stale = rows.filter((r) => r.status === 'stale').length
    const failures = rows.filter((r) => r.status !== 'processed' && r.status !== 'stale').map(({ provider, eventId, status, lastError }) => ({ provider, eventId, status, lastError }))
    const failed = failures.length
    report(
      { status, requeued: count, watched: rows.length, processed, stale, failed, failures },
      `retried ${rows.length} ${status} event(s): ${processed} processed, ${stale > 0 ? `${stale} stale, ` : ''}${failed} failed again${unwatched}`,
    )
    // Which ones, and why: the next thing a user asks after "1 failed again".
    if (!values.json) for (const f of failures) io.out(`  ${f.provider} ${f.eventId} ${f.status}: ${f.lastError ?? '(no error recorded)'}`)
    return failed === 0 ? EXIT.ok : EXIT.failed
  } finally {
    await store.close()
  }
}
