import { purgeIdempotencyKeys } from '../idempotency/purge.js'
import { KEY_STATUSES } from '../statuses.js'
import type { IdempotencyKeys, KeyStatus } from '../store.js'
import { FailedError, type Io, openStore, parse, UsageError } from './context.js'
import { table, time } from './format.js'

export const keysHelp = `webhook-inbox keys <list|show|purge> [options]

The Idempotency-Key table of the idempotency() middleware.

  keys list [--scope <s>] [--status running|completed] [--limit <n>]   newest first, no bodies
  keys show <key> [--scope <s>]                                        one key, with its stored response
  keys purge                                                           delete every expired key (for cron)

A key is unique within its scope (the middleware's scope option, e.g. the account). keys show
without --scope finds the key in the one scope that holds it; when several do, it names them.

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
    const scope = values.scope ?? (await onlyScopeOf(store.keys, key))
    const record = await store.keys.get({ scope, key })
    if (!record) throw new FailedError(`no idempotency key "${key}" in scope "${scope}"`)
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

/** How many scopes `keys show` names when several hold the key. */
const SCOPES_SHOWN = 10

/**
 * The scope that holds `key`, for `keys show` without --scope. A key is unique only within
 * its scope, so when several hold it they are named rather than one guessed.
 */
async function onlyScopeOf(keys: IdempotencyKeys, key: string): Promise<string> {
  // Filtered again here: a store written before `list` took `key` would list every key.
  const held = (await keys.list({ key, limit: SCOPES_SHOWN + 1 })).filter((k) => k.key === key)
  const [first] = held
  if (first === undefined) throw new FailedError(`no idempotency key "${key}" in any scope`)
  if (held.length === 1) return first.scope
  const scopes = held.slice(0, SCOPES_SHOWN).map((k) => JSON.stringify(k.scope)).sort()
  const more = held.length > SCOPES_SHOWN ? ' and more' : ''
  // The call needs --scope, as a wrong argument does: exit 2.
  throw new UsageError(`idempotency key "${key}" is held in scopes ${scopes.join(', ')}${more}: pass --scope <s> to pick one`)
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
