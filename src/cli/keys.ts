import { purgeIdempotencyKeys } from '../idempotency/purge.js'
import { KEY_STATUSES } from '../statuses.js'
import type { KeyStatus } from '../store.js'
import { FailedError, type Io, openStore, parse, UsageError } from './context.js'
import { table, time } from './format.js'

export const keysHelp = `webhook-inbox keys <list|show|purge> [options]

The Idempotency-Key table of the idempotency() middleware.

  keys list [--scope <s>] [--status running|completed] [--limit <n>]   newest first, no bodies
  keys show <key> [--scope <s>]                                        one key, with its stored response
  keys purge                                                           delete every expired key (for cron)

Every subcommand takes --json and --db <path|url>: the SQLite file, postgres:// or mysql:// URL
(default $DATABASE_URL if such a URL, else $WEBHOOK_INBOX_DB or webhooks.db); --schema for Postgres.

Examples:
  webhook-inbox keys list --status running
  webhook-inbox keys show 8e03978e-40d5-43e8-bc93-6894a57f9324 --scope acct_1
  webhook-inbox keys purge --db postgres://inbox@db.internal/app`

async function list(args: string[], io: Io) {
  const { values } = parse(args, { scope: 'string', status: 'string', limit: 'string' })
  const status = values.status
  if (status !== undefined && !(KEY_STATUSES as readonly string[]).includes(status)) {
    throw new UsageError(`--status: "${status}" is not one of ${KEY_STATUSES.join(', ')}`)
  }
  const limit = Number(values.limit ?? 50)
  if (!Number.isInteger(limit) || limit < 1) throw new UsageError(`--limit: "${values.limit}" is not a positive whole number`)
  const store = await openStore(values, io, 'read')
  try {
    const keys = await store.keys.list({
      ...(values.scope === undefined ? {} : { scope: values.scope }),
      ...(status === undefined ? {} : { status: status as KeyStatus }),
      limit,
    })
    if (values.json) for (const key of keys) io.out(JSON.stringify(key))
    else if (keys.length === 0) io.out('no keys')
    else {
      const header = ['CREATED', 'SCOPE', 'KEY', 'REQUEST', 'STATUS', 'RESPONSE', 'EXPIRES']
      const rows = keys.map((k) => [time(k.createdAt), k.scope || '-', k.key, `${k.method} ${k.path}`, k.status, String(k.responseStatus ?? '-'), time(k.expiresAt)])
      io.out(table(header, rows))
    }
  } finally {
    await store.close()
  }
}

async function show(args: string[], io: Io) {
  const { values, positionals } = parse(args, { scope: 'string' })
  const [key] = positionals
  if (key === undefined) throw new UsageError('usage: webhook-inbox keys show <key> [--scope <s>]')
  const store = await openStore(values, io, 'read')
  try {
    const record = await store.keys.get({ scope: values.scope ?? '', key })
    if (!record) throw new FailedError(`no idempotency key "${key}" in scope "${values.scope ?? ''}"`)
    const { response, ...summary } = record
    const body = response === null ? null : new TextDecoder().decode(response.body)
    if (values.json) {
      io.out(JSON.stringify({ ...summary, response: response && { ...response, body } }))
      return
    }
    for (const [name, value] of Object.entries(summary)) io.out(`${name.padEnd(14)} ${name.endsWith('At') ? time(value as number) : String(value)}`)
    if (response) io.out(`headers        ${JSON.stringify(response.headers)}\nbody\n${body}`)
  } finally {
    await store.close()
  }
}

async function purge(args: string[], io: Io) {
  const { values } = parse(args, {})
  const store = await openStore(values, io)
  try {
    const deleted = await purgeIdempotencyKeys(store)
    io.out(values.json ? JSON.stringify({ deleted }) : `deleted ${deleted} expired idempotency key(s)`)
  } finally {
    await store.close()
  }
}

const SUBCOMMANDS: Record<string, (args: string[], io: Io) => Promise<void>> = { list, show, purge }

export async function keys(args: string[], io: Io) {
  const [name, ...rest] = args
  const subcommand = name !== undefined && Object.hasOwn(SUBCOMMANDS, name) ? SUBCOMMANDS[name] : undefined
  if (subcommand === undefined) throw new UsageError(`${name === undefined ? 'missing subcommand' : `unknown subcommand "${name}"`} (use list, show or purge)`)
  await subcommand(rest, io)
}
