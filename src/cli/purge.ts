import { EVENT_STATUSES } from '../statuses.js'
import type { EventStatus } from '../store.js'
import { duration, type Io, openStore, parse, UsageError } from './context.js'

export const purgeHelp = `webhook-inbox purge --older-than <duration> [options]

Deletes events last updated longer ago than the duration. Deduplication lasts as long as
the row: keep processed events longer than any provider retries (Stripe: 3 days).

Options:
  --older-than <d>   e.g. 30d, 12h (required)
  --status <list>    comma-separated statuses to delete (default processed,stale)
  --db <path|url>    the SQLite file, postgres:// or mysql:// URL (default $DATABASE_URL if such a URL,
                     else $WEBHOOK_INBOX_DB or webhooks.db); --schema for Postgres
  --json             print the count as JSON

Examples:
  webhook-inbox purge --older-than 30d
  webhook-inbox purge --older-than 90d --status processed,dead`

export async function purge(args: string[], io: Io) {
  const { values } = parse(args, { 'older-than': 'string', status: 'string' })
  if (values['older-than'] === undefined) throw new UsageError('--older-than is required (e.g. 30d)')
  const age = duration(values['older-than'], '--older-than')
  const statuses = (values.status ?? 'processed,stale').split(',')
  for (const status of statuses) {
    if (!(EVENT_STATUSES as readonly string[]).includes(status)) throw new UsageError(`--status: "${status}" is not one of ${EVENT_STATUSES.join(', ')}`)
  }
  const store = await openStore(values, io)
  try {
    const deleted = await store.purge({ before: Date.now() - age, statuses: statuses as EventStatus[], now: Date.now() })
    io.out(values.json ? JSON.stringify({ deleted }) : `deleted ${deleted} event(s) older than ${values['older-than']}`)
  } finally {
    await store.close()
  }
}
