// Next.js App Router: save as app/webhooks/[provider]/route.ts. Route handlers receive
// a standard Request, so the inbox is the handler.
import { inbox } from './inbox.js' // your module that calls createInbox()

// better-sqlite3 is a Node addon: the Edge runtime cannot load it.
export const runtime = 'nodejs'
export const POST = (request: Request) => inbox.fetch(request)

// The sweeper (retries, deadline-mode runs) belongs in instrumentation.ts:
//   export async function register() {
//     if (process.env.NEXT_RUNTIME === 'nodejs') (await import('./inbox.js')).inbox.startSweeper()
//   }
