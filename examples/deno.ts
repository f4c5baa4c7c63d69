// Deno: the inbox is a fetch handler. Deno cannot load better-sqlite3, so this runs on a
// server store; --sloppy-imports lets the repository's `.js` imports find their `.ts` files:
// DATABASE_URL=postgres://… deno run --allow-net --allow-env --allow-read --sloppy-imports examples/deno.ts
import { examplePort } from './dev-secrets.js'
import { inbox, runSweeperUntilSignal, storeName } from './inbox.js'

const server = Deno.serve(
  {
    port: examplePort(),
    hostname: '127.0.0.1',
    onListen: ({ port }) => console.log(`deno listening on http://127.0.0.1:${port}/webhooks/:provider (store: ${storeName})`),
  },
  (request) => inbox.fetch(request),
)
runSweeperUntilSignal(() => server.shutdown())
