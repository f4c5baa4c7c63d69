// Bun: the inbox is a fetch handler. Run: bun examples/bun.ts
import { inbox } from './inbox.js'

const server = Bun.serve({ port: Number(process.env.PORT ?? 3000), hostname: '127.0.0.1', fetch: (request) => inbox.fetch(request) })
inbox.startSweeper() // retries and deadline-mode runs
console.log(`bun listening on ${server.url}webhooks/:provider`)
