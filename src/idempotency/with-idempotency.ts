import { createIdempotent } from './idempotent.js'
import { type IdempotencyOptions, resolveOptions } from './options.js'

/**
 * Idempotency-Key for any `(request) => Promise<Response>` handler (a Worker's fetch,
 * Next.js route handlers, …); extra arguments (env, ctx) pass through.
 *
 * @example
 * export default { fetch: withIdempotency({ store: d1Store(env.DB) })(handleOrders) }
 */
export function withIdempotency(options: IdempotencyOptions<Request>) {
  const idempotent = createIdempotent(resolveOptions(options))
  const scope = options.scope ?? (() => '')
  return <Rest extends unknown[]>(handler: (request: Request, ...rest: Rest) => Promise<Response>) =>
    function idempotentHandler(request: Request, ...rest: Rest): Promise<Response> {
      return idempotent({
        request,
        scope: () => scope(request),
        // A clone, so the handler reads the body it was sent.
        body: async () => new Uint8Array(await request.clone().arrayBuffer()),
        run: async () => ({ response: await handler(request, ...rest), failed: false }),
      })
    }
}
