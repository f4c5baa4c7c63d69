// What README snippets use without declaring it: the inbox built in "Use" and the
// reader's own application objects. Anything a snippet uses beyond this list is an
// error in the snippet.
export const PRELUDE = `
import type { Handler, Hono, MiddlewareHandler } from 'hono'
import type { d1Store } from 'webhook-inbox/stores/d1'
import type { Inbox, Store } from 'webhook-inbox'
import type { SqliteTransaction } from 'webhook-inbox/stores/sqlite'
import type { github, Provider, ProviderOptions, razorpay, slack, stripe } from 'webhook-inbox/providers'
import type Stripe from 'stripe'

type ReadmeProviders = {
  stripe: ReturnType<typeof stripe>
  github: ReturnType<typeof github>
  slack: ReturnType<typeof slack>
  razorpay: ReturnType<typeof razorpay>
}

declare global {
  const inbox: Inbox<ReadmeProviders, SqliteTransaction>
  const providers: ReadmeProviders
  const app: Hono<{ Variables: { account: string } }>
  const stripeClient: Stripe
  const db: { query(sql: string, params: unknown[]): Promise<unknown> }
  const orderId: string
  const url: string
  function buildSlowReport(text: string): Promise<string>
  const authenticate: MiddlewareHandler
  const createOrder: Handler
  function handleOrders(request: Request): Promise<Response>
  const env: { DB: Parameters<typeof d1Store>[0] }
  /** The custom adapter "Write your own provider" defines, imported by its test snippet. */
  function acme(options: ProviderOptions): Provider
  /** The custom store "Write your own store" tests. */
  function myStore(): Store & Pick<ReturnType<typeof d1Store>, 'keys'>
}
export {}
`
