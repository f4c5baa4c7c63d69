// Bun: the inbox is a fetch handler. Bun cannot load better-sqlite3, so this runs on a server
// store: DATABASE_URL=postgres://… bun examples/bun.ts (or a mysql:// URL).
import { examplePort } from './dev-secrets.js'
import { inbox, runSweeperUntilSignal, storeName } from './inbox.js'

const server = Bun.serve({ port: examplePort(), hostname: '127.0.0.1', fetch: (request) => inbox.fetch(request) })
console.log(`bun listening on ${server.url}webhooks/:provider (store: ${storeName})`)
runSweeperUntilSignal(() => server.stop())
