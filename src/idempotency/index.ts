import type { Context, MiddlewareHandler } from 'hono'
import { createIdempotent } from './idempotent.js'
import { type IdempotencyOptions, resolveOptions } from './options.js'

export type { IdempotencyOptions } from './options.js'
export { purgeIdempotencyKeys } from './purge.js'
export { withIdempotency } from './with-idempotency.js'

/**
 * Idempotency-Key middleware for Hono (IETF draft + Stripe): the first request with a
 * key runs the handler and stores its answer; a retry with the same key and request
 * gets that answer again (`Idempotent-Replayed: true`) without running the handler; a
 * retry while it runs gets 409, the key on another request 422. Mount authentication
 * before it and scope keys by account.
 *
 * @example
 * const store = sqliteStore({ path: 'app.db' })
 * app.post('/orders', idempotency({ store, scope: (c) => c.get('accountId') }), createOrder)
 */
export function idempotency(options: IdempotencyOptions<Context>): MiddlewareHandler {
  const idempotent = createIdempotent(resolveOptions(options))
  const scope = options.scope ?? (() => '')
  return async function idempotency(c, next) {
    const response = await idempotent({
      request: c.req.raw,
      scope: () => scope(c),
      // Hono caches the body it read, so the handler's c.req.json() still works.
      body: async () => new Uint8Array(await c.req.arrayBuffer()),
      // Hono turns a handler's throw into c.error and an onError answer; never kept.
      run: async () => {
        await next()
        return { response: c.res, failed: c.error !== undefined }
      },
    })
    // Set, not returned: once the handler has answered, Hono ignores a returned response.
    if (response !== c.res) c.res = response
  }
}
