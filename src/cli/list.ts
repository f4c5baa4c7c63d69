import { EVENT_STATUSES } from '../statuses.js'
import type { EventStatus } from '../store.js'
import { duration, FailedError, type Io, openStore, parse, UsageError } from './context.js'
import { details, eventRows } from './format.js'

export const listHelp = `webhook-inbox list [options]

Lists stored events, newest first.

Options:
  --provider <name>   only this provider instance
  --status <status>   only received, processing, processed, stale, failed or dead
  --since <when>      received within a duration (24h, 7d) or since an ISO date
  --limit <n>         at most n events (default 50)
  --db <path|url>     the SQLite file, postgres:// or mysql:// URL (default $DATABASE_URL if such a URL,
                      else $WEBHOOK_INBOX_DB or webhooks.db); --schema for Postgres
  --json              one JSON object per line

Examples:
  webhook-inbox list --status failed
  webhook-inbox list --provider stripe --since 24h --json`

export const showHelp = `webhook-inbox show <provider> <id> [--db <path|url>] [--json]

Prints one stored event: its state, the headers kept with it, and its body.

Options:
  --db <path|url>     the SQLite file, postgres:// or mysql:// URL (as for list)
  --json              the whole event as one JSON object

Examples:
  webhook-inbox show stripe evt_3MtwBwLkdIwHu7ix0ZzQ0v3F
  webhook-inbox show github 72d3162e-cc78-11e3-81ab-4c9367dc0958 --json | jq .body`

function since(text: string | undefined): number | undefined {
  if (text === undefined) return undefined
  if (/^\d+(ms|s|m|h|d)$/.test(text)) return Date.now() - duration(text, '--since')
  const date = Date.parse(text)
  if (Number.isNaN(date)) throw new UsageError(`--since: "${text}" is neither a duration (24h) nor a date (2026-01-31)`)
  return date
}

export async function list(args: string[], io: Io) {
  const { values } = parse(args, {
    provider: 'string',
    status: 'string',
    since: 'string',
    limit: 'string',
  })
  const status = values.status
  if (status !== undefined && !(EVENT_STATUSES as readonly string[]).includes(status)) {
    throw new UsageError(`--status: "${status}" is not one of ${EVENT_STATUSES.join(', ')}`)
  }
  const limit = Number(values.limit ?? 50)
  if (!Number.isInteger(limit) || limit < 1) throw new UsageError(`--limit: "${values.limit}" is not a positive whole number`)
  const sinceMs = since(values.since)
  const store = await openStore(values, io, 'read')
  try {
    const events = await store.list({
      ...(values.provider === undefined ? {} : { provider: values.provider }),
      ...(status === undefined ? {} : { status: status as EventStatus }),
      ...(sinceMs === undefined ? {} : { since: sinceMs }),
      limit,
    })
    if (values.json) for (const event of events) io.out(JSON.stringify(event))
    else io.out(events.length === 0 ? 'no events' : eventRows(events))
  } finally {
    await store.close()
  }
}

export async function show(args: string[], io: Io) {
  const { values, positionals } = parse(args, {})
  const [provider, eventId] = positionals
  if (provider === undefined || eventId === undefined) throw new UsageError('usage: webhook-inbox show <provider> <id>')
  const store = await openStore(values, io, 'read')
  try {
    const event = await store.get({ provider, eventId })
    if (!event) throw new FailedError(`no ${provider} event ${eventId} in the store`)
    if (values.json) {
      io.out(JSON.stringify(event))
      return
    }
    const { body, headers } = event
    for (const [label, value] of details(event)) io.out(`${label.padEnd(14)} ${value}`)
    io.out(`headers        ${JSON.stringify(headers)}`)
    let pretty = body
    try {
      pretty = JSON.stringify(JSON.parse(body), null, 2)
    } catch {}
    io.out(`body\n${pretty}`)
  } finally {
    await store.close()
  }
}
