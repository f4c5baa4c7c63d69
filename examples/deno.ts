// Deno: the inbox is a fetch handler. Run: deno run -A examples/deno.ts
import { inbox } from './inbox.js'

Deno.serve({ port: Number(Deno.env.get('PORT') ?? 3000), hostname: '127.0.0.1' }, (request) => inbox.fetch(request))
inbox.startSweeper() // retries and deadline-mode runs
