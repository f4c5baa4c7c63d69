// The inbox the framework examples share (express.ts, fastify.ts, next-route.ts, bun.ts,
// deno.ts): every built-in provider with the handlers of examples/handlers.ts, over the
// store examples/store.ts picks (Postgres or MySQL from DATABASE_URL, else a SQLite file,
// which Bun and Deno cannot open), with the development secrets of `npm start` unless the
// variables are set. In your own project this is the README's Quickstart inbox, imported from
// 'webhook-inbox', 'webhook-inbox/providers' and 'webhook-inbox/stores/…'.
import { createProviders } from '../providers/index.js'
import { createInbox } from '../src/index.js'
import { exampleSecrets } from './dev-secrets.js'
import { handleExampleEvents } from './handlers.js'
import { exampleStore } from './store.js'

const example = exampleStore()

/** The store the examples run on, as they name it at start-up. */
export const storeName = example.name

export const inbox = handleExampleEvents(createInbox({ store: example.store, providers: createProviders(exampleSecrets().secrets) }))

/**
 * Outside `serve()` nobody runs the sweeper or stops cleanly for you: run it in this
 * process, and on SIGTERM / SIGINT stop the server, then let running handlers finish
 * (or give their events back) before exiting.
 */
export function runSweeperUntilSignal(closeServer: () => Promise<void>) {
  const sweeper = inbox.startSweeper()
  for (const signal of ['SIGTERM', 'SIGINT'] as const) {
    process.once(signal, async () => {
      sweeper.stop()
      await closeServer()
      await inbox.shutdown()
      process.exit(0)
    })
  }
}
