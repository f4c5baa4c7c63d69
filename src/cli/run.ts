import { DEVELOPMENT_SECRETS } from '../testing/development-secrets.js'
import { EXIT, type Io, UsageError } from './context.js'
import { keys, keysHelp } from './keys.js'
import { list, listHelp, show, showHelp } from './list.js'
import { migrate, migrateHelp } from './migrate.js'
import { purge, purgeHelp } from './purge.js'
import { replay, replayHelp } from './replay.js'
import { retry, retryHelp } from './retry.js'
import { send, sendHelp } from './send.js'

const USAGE = `webhook-inbox <command> [options]

Commands:
  send <provider> <fixture-or-file>   sign a sample event or JSON file and POST it to a server
  list                                list stored events (--provider, --status, --since)
  show <provider> <id>                one stored event, with its body
  replay <provider> <id>              run a stored event's handlers again (or re-send it with --url)
  retry [--dead]                      run failed (or dead-lettered) events now
  purge --older-than 30d              delete old processed events
  keys list|show|purge                the idempotency keys of the idempotency() middleware
  migrate --db postgres://…|mysql://… apply pending Postgres or MySQL migrations (for migrate: false)

Every command takes --db <path|postgres://…|mysql://…> (default $DATABASE_URL when it is a
postgres:// or mysql:// URL, else $WEBHOOK_INBOX_DB, else webhooks.db), --schema (Postgres), --json and --help.
Secrets come from --secret or ${Object.values(DEVELOPMENT_SECRETS)
  .map((secret) => secret.variable)
  .join(', ')}.

Examples:
  webhook-inbox send stripe payment_intent.succeeded --dev
  webhook-inbox list --status failed
  webhook-inbox replay stripe evt_3MtwBwLkdIwHu7ix0ZzQ0v3F

Exit codes: 0 success, 1 the operation failed, 2 bad arguments, 3 timed out waiting for the server.`

type Command = (args: string[], io: Io) => Promise<number | void>

const COMMANDS: Record<string, [Command, string]> = {
  send: [send, sendHelp],
  list: [list, listHelp],
  show: [show, showHelp],
  replay: [replay, replayHelp],
  retry: [retry, retryHelp],
  purge: [purge, purgeHelp],
  keys: [keys, keysHelp],
  migrate: [migrate, migrateHelp],
}

/** Runs one CLI invocation and returns its exit code; every failure is one line on stderr. */
export async function run(argv: string[], io: Io): Promise<number> {
  const [name, ...args] = argv
  if (name === undefined) {
    io.err('webhook-inbox: missing command (try --help)')
    return EXIT.usage
  }
  if (name === '--help' || name === '-h' || name === 'help') {
    io.out(USAGE)
    return EXIT.ok
  }
  const command = Object.hasOwn(COMMANDS, name) ? COMMANDS[name] : undefined
  if (command === undefined) {
    io.err(`webhook-inbox: unknown command "${name}" (try --help)`)
    return EXIT.usage
  }
  if (args.includes('--help') || args.includes('-h')) {
    io.out(command[1])
    return EXIT.ok
  }
  // --json output is for scripts: no progress lines among it.
  const commandIo = args.includes('--json') ? { ...io, progress: () => {} } : io
  try {
    return (await command[0](args, commandIo)) ?? EXIT.ok
  } catch (error) {
    const code = error instanceof UsageError ? EXIT.usage : EXIT.failed
    const message = error instanceof Error ? error.message : String(error)
    // Under --json a script reads stderr too: one JSON object it can parse, not prose.
    if (args.includes('--json')) io.err(JSON.stringify({ ok: false, command: name, exitCode: code, error: message }))
    else io.err(`webhook-inbox ${name}: ${message}`)
    return code
  }
}
