import { WebhookError } from '../errors.js'
import type { KeyStore } from '../store.js'
import { createIdempotent } from './idempotent.js'
import { type IdempotencyOptions, resolveOptions } from './options.js'
import type { IdempotencyHandle, KeysTransactionOf } from './transaction.js'

/**
 * What `withIdempotency(options)` returns: called with a handler, the idempotent handler;
 * `of(request)`, inside it, that request's `IdempotencyHandle`.
 */
export interface IdempotencyWrapper<Tx = unknown> {
  <Rest extends unknown[]>(handler: (request: Request, ...rest: Rest) => Promise<Response>): (request: Request, ...rest: Rest) => Promise<Response>
  /**
   * The handle of a request this wrapper is handling, looked up by the Request object
   * itself (pass the one the handler got, not a copy): its `transaction(fn)` commits
   * the handler's writes with the key's answer. A lookup, not an argument, so the
   * handler's own arguments (env, ctx) stay as they are.
   */
  of(request: Request): IdempotencyHandle<Tx>
}

/**
 * Idempotency-Key for any `(request) => Promise<Response>` handler (a Worker's fetch,
 * Next.js route handlers, …); extra arguments (env, ctx) pass through.
 *
 * @example
 * export default { fetch: withIdempotency({ store: d1Store(env.DB) })(handleOrders) }
 *
 * // Writes that commit with the stored answer (a store with transactions):
 * const idempotent = withIdempotency({ store: sqliteStore({ path: 'app.db' }) })
 * export const POST = idempotent(async (request) =>
 *   idempotent.of(request).transaction(async (tx) => {
 *     const [order] = await tx.insert(orders).values(await request.json()).returning()
 *     return Response.json(order, { status: 201 })
 *   }))
 */
export function withIdempotency<S extends KeyStore>(options: IdempotencyOptions<Request, S>): IdempotencyWrapper<KeysTransactionOf<S>> {
  const idempotent = createIdempotent(resolveOptions(options))
  const scope = options.scope ?? (() => '')
  // Weak, so a request's handle goes with the request.
  const handles = new WeakMap<Request, IdempotencyHandle<KeysTransactionOf<S>>>()
  const wrap = <Rest extends unknown[]>(handler: (request: Request, ...rest: Rest) => Promise<Response>) =>
    function idempotentHandler(request: Request, ...rest: Rest): Promise<Response> {
      return idempotent<KeysTransactionOf<S>>({
        request,
        scope: () => scope(request),
        // A clone, so the handler reads the body it was sent.
        body: async () => new Uint8Array(await request.clone().arrayBuffer()),
        run: async (handle) => {
          handles.set(request, handle)
          return { response: await handler(request, ...rest), failed: false }
        },
      })
    }
  const of = (request: Request) => {
    const handle = handles.get(request)
    if (handle === undefined) {
      throw new WebhookError('internal_error', 'withIdempotency: of(request) got a Request this wrapper is not handling; pass the very Request its handler was called with, not a copy')
    }
    return handle
  }
  return Object.assign(wrap, { of })
}
