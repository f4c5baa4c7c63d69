// The handlers every example registers (examples/node.ts, examples/worker.ts and
// examples/inbox.ts, which Bun, Deno, Express, Fastify and Next.js share): one for each
// built-in provider, on the event `npm run send -- <provider>` posts
// (examples/send-test-event.ts), so every provider's test event prints a line.
import type { BuiltInProviders } from '../providers/index.js'
import type { Inbox, InboxEvent } from '../src/index.js'

/** One line per run, `<provider> <id>: <what>`; a retry or a replay says so, as it may repeat an effect. */
function log(event: InboxEvent, what: string) {
  const run = event.replay ? ` (replay, run ${event.attempt})` : event.attempt > 1 ? ` (attempt ${event.attempt})` : ''
  console.log(`${event.provider} ${event.id}: ${what}${run}`)
}

/** Registers the example handlers on an inbox of every built-in provider (`createProviders()`), whatever its store. */
export function handleExampleEvents<Tx>(inbox: Inbox<BuiltInProviders, Tx>): Inbox<BuiltInProviders, Tx> {
  inbox.on('stripe', 'payment_intent.succeeded', (event) => {
    const intent = event.payload.data.object
    log(event, `payment ${intent.id} succeeded, ${intent.amount} ${intent.currency}`)
  })
  inbox.on('github', 'issues', (event) => {
    log(event, `issue #${event.payload.issue.number} ${event.payload.action} in ${event.payload.repository.full_name}`)
  })
  inbox.on('github', 'push', (event) => {
    log(event, `push of ${event.payload.commits.length} commit(s) to ${event.payload.ref}`)
  })
  inbox.on('slack', 'app_mention', (event) => log(event, `app_mention in team ${event.payload.team_id}`))
  // What a slash command's handler returns is the answer Slack shows the user.
  inbox.on('slack', 'slash_command', (event) => ({ response_type: 'ephemeral', text: `Got ${event.payload.command}` }))
  inbox.on('razorpay', 'payment.captured', (event) => {
    log(event, `payment ${String(event.payload.payload.payment?.entity.id)} captured`)
  })
  // Svix and Clerk send Standard Webhooks; each is its own provider, with its own secret.
  for (const provider of ['standard-webhooks', 'svix', 'clerk'] as const) {
    inbox.on(provider, 'user.created', (event) => log(event, `user ${String(event.payload.data?.id)} created`))
  }
  inbox.on('resend', 'email.delivered', (event) => log(event, `email ${String(event.payload.data?.email_id)} delivered`))
  inbox.on('shopify', 'orders/create', (event) => log(event, `order ${String(event.payload.name)} created`))
  inbox.on('paddle', 'transaction.completed', (event) => log(event, `transaction ${String(event.payload.data.id)} completed`))
  inbox.on('linear', 'Issue.create', (event) => log(event, `issue ${String(event.payload.data.identifier)} created`))
  inbox.on('gitlab', 'merge_request.merge', (event) => {
    log(event, `merge request !${String(event.payload.object_attributes?.iid)} merged`)
  })
  inbox.onError((error, event) => {
    // error.cause is what the handler threw, with its stack.
    const line = `${error.status} ${error.code}${event ? ` (${event.provider} ${event.id})` : ''}: ${error.message}`
    if (error.cause === undefined) console.error(line)
    else console.error(line, error.cause)
  })
  return inbox
}
