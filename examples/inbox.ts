// The inbox the "Mount it" examples share (express.ts, fastify.ts, next-route.ts, bun.ts,
// deno.ts): Stripe and GitHub over a SQLite file, with the development secrets of
// `npm start` unless the variables are set. In your own project this is the README's
// "Use" snippet, imported from 'webhook-inbox', 'webhook-inbox/providers' and
// 'webhook-inbox/stores/sqlite'.
import { github, stripe } from '../providers/index.js'
import { createInbox } from '../src/index.js'
import { sqliteStore } from '../src/stores/sqlite/index.js'
import { exampleSecrets } from './dev-secrets.js'

const { secrets } = exampleSecrets()

export const inbox = createInbox({
  store: sqliteStore({ path: process.env.WEBHOOK_INBOX_DB ?? 'webhooks.db' }),
  providers: { stripe: stripe({ secret: secrets.stripe }), github: github({ secret: secrets.github }) },
})

inbox.on('stripe', 'payment_intent.succeeded', (event) => {
  console.log(`stripe ${event.id}: payment ${event.payload.data.object.id} succeeded`)
})
inbox.on('github', 'issues', (event) => {
  console.log(`github ${event.id}: ${event.type} #${event.payload.issue.number}`)
})
inbox.onError((error) => console.error(`${error.status} ${error.code}: ${error.message}`))

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
