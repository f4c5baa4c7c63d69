import { Hono } from 'hono'
import { WebhookError } from './errors.js'
import { createHandlers } from './handlers.js'
import { readBody } from './read-body.js'
import { answer, errorAnswer, replyAnswer } from './response.js'
import { backoffMs, type BackoffOptions } from './retry.js'
import type { Provider } from '../providers/types.js'
import type { Store, StoredEvent } from './stores/types.js'
import type { ErrorHandler, EventsOf, Handler, InboxEvent, Providers } from './types.js'

export interface InboxOptions<P extends Providers> {
  store: Store
  /** Instance name → provider; the name is the last path segment of the webhook URL. */
  providers: P
  /** How long a claimed event is owned by one run before another may take it over. */
  leaseMs?: number
  /** Runs before an event is dead-lettered. */
  maxAttempts?: number
  backoff?: BackoffOptions
  /** Current time in milliseconds, like `Date.now` (for tests). */
  now?: () => number
}

type PayloadOf<P extends Providers, K extends keyof P, T> = T extends keyof EventsOf<P[K]> ? EventsOf<P[K]>[T] : never

export interface Inbox<P extends Providers> {
  /** Registers a handler for one event type of one provider instance. */
  on<K extends keyof P & string, T extends keyof EventsOf<P[K]> & string>(
    provider: K,
    type: T,
    handler: Handler<PayloadOf<P, K, T>>,
  ): Inbox<P>
  /** Registers a handler for every event of every provider. */
  onAny(handler: Handler): Inbox<P>
  /** Called for every delivery that is not answered 2xx. */
  onError(handler: ErrorHandler): Inbox<P>
  /** Any runtime: the provider instance is the last path segment (`/webhooks/stripe` → `stripe`). */
  fetch(request: Request): Promise<Response>
  /** A Hono app serving `POST /:provider`, to mount with `app.route('/webhooks', inbox.routes())`. */
  routes(): Hono
}

// ignoreBOM: the stored body must keep every byte that was signed.
const decoder = new TextDecoder('utf-8', { ignoreBOM: true })
const MAX_ERROR_LENGTH = 2000

function describe(error: unknown): string {
  const text = error instanceof Error ? `${error.name}: ${error.message}` : String(error)
  return text.slice(0, MAX_ERROR_LENGTH)
}

async function guardStore<T>(what: string, run: () => Promise<T>): Promise<T> {
  try {
    return await run()
  } catch (cause) {
    throw new WebhookError('store_unavailable', `store: ${what} failed (${describe(cause)})`, { cause })
  }
}

/**
 * Creates an inbox: verify → claim in the store → run handlers → mark processed
 * or failed → answer. Every error becomes an answer from the DESIGN table; nothing
 * that fails verification reaches the store or a handler.
 */
export function createInbox<P extends Providers>(options: InboxOptions<P>): Inbox<P> {
  const { store, providers } = options
  const leaseMs = options.leaseMs ?? 60_000
  const maxAttempts = options.maxAttempts ?? 10
  const now = options.now ?? Date.now
  const handlers = createHandlers(Object.keys(providers))

  async function notify(error: WebhookError, event?: InboxEvent) {
    if (handlers.errorHandlers.length === 0) {
      if (error.status >= 500) console.error(error.message)
      return
    }
    for (const onError of handlers.errorHandlers) {
      try {
        await onError(error, event)
      } catch (failure) {
        console.error(`[webhook-inbox] onError handler threw: ${describe(failure)}`)
      }
    }
  }

  async function run(stored: StoredEvent, payload: unknown, provider: Provider): Promise<Response> {
    const key = { provider: stored.provider, eventId: stored.eventId }
    const attempt = stored.attempts
    const event: InboxEvent = {
      provider: stored.provider,
      id: stored.eventId,
      type: stored.type,
      payload,
      attempt,
      receivedAt: stored.receivedAt,
    }
    const controller = new AbortController()
    let reply: Response | undefined
    try {
      for (const handler of handlers.handlersFor(stored.provider, stored.type)) {
        const value = await handler(event, { signal: controller.signal })
        if (value instanceof Response || (value !== undefined && provider.handlerReplies)) reply = replyAnswer(value)
      }
    } catch (cause) {
      controller.abort(cause)
      const dead = attempt >= maxAttempts
      const nextAttemptAt = dead ? null : now() + backoffMs(attempt, options.backoff)
      await guardStore('fail', () => store.fail(key, attempt, { error: describe(cause), nextAttemptAt, now: now() }))
      const error = new WebhookError(
        'handler_failed',
        `${stored.provider}: handler failed for ${stored.type} ${stored.eventId} (attempt ${attempt} of ${maxAttempts}, ${
          dead ? 'dead-lettered' : `retry after ${new Date(nextAttemptAt!).toISOString()}`
        })`,
        { cause },
      )
      await notify(error, event)
      return errorAnswer(error)
    }
    await guardStore('complete', () => store.complete(key, attempt, now()))
    return reply ?? answer('processed')
  }

  async function receive(name: string, request: Request): Promise<Response> {
    try {
      const provider = Object.hasOwn(providers, name) ? providers[name] : undefined
      if (provider === undefined) {
        throw new WebhookError('unknown_provider', `no provider named "${name}" (configured: ${Object.keys(providers).join(', ')})`)
      }
      if (request.method !== 'POST') {
        throw new WebhookError('method_not_allowed', `${name}: ${request.method} is not allowed, webhooks are POSTed`)
      }
      const rawBody = await readBody(request, provider.maxBodyBytes, name)
      let verified: Awaited<ReturnType<typeof provider.verify>>
      try {
        verified = await provider.verify(request, rawBody)
      } catch (cause) {
        if (cause instanceof WebhookError) throw cause
        // A verifier that throws on input it did not expect has still not verified it.
        throw new WebhookError('signature_mismatch', `${name}: signature could not be verified (${describe(cause)})`, { cause })
      }
      if (verified instanceof Response) return verified
      const headers: Record<string, string> = {}
      for (const header of provider.storedHeaders) {
        const value = request.headers.get(header)
        if (value !== null) headers[header] = value
      }
      const claim = await guardStore('claim', () =>
        store.claim(
          { provider: name, eventId: verified.id, type: verified.type, body: decoder.decode(rawBody), headers },
          { now: now(), leaseMs },
        ),
      )
      if (claim.outcome === 'duplicate') return answer('duplicate')
      return await run(claim.event, verified.payload, provider)
    } catch (error) {
      const failure =
        error instanceof WebhookError
          ? error
          : new WebhookError('internal_error', `${name}: unexpected failure (${describe(error)})`, { cause: error })
      await notify(failure)
      return errorAnswer(failure)
    }
  }

  function lastSegment(url: string): string {
    const segments = new URL(url).pathname.split('/').filter((s) => s !== '')
    try {
      return decodeURIComponent(segments.at(-1) ?? '')
    } catch {
      return segments.at(-1) ?? ''
    }
  }

  const inbox: Inbox<P> = {
    on(provider, type, handler) {
      handlers.on(provider, type, handler as Handler)
      return inbox
    },
    onAny(handler) {
      handlers.onAny(handler)
      return inbox
    },
    onError(handler) {
      handlers.onError(handler)
      return inbox
    },
    fetch: (request) => receive(lastSegment(request.url), request),
    routes() {
      const app = new Hono()
      app.all('/:provider', (c) => receive(c.req.param('provider'), c.req.raw))
      return app
    },
  }
  return inbox
}
