import type { Context, MiddlewareHandler } from 'hono'
import type { KeyStore } from '../store.js'
import { createIdempotent } from './idempotent.js'
import { type IdempotencyOptions, resolveOptions } from './options.js'
import type { IdempotencyEnv, KeysTransactionOf } from './transaction.js'

export type { IdempotencyOptions } from './options.js'
export type { IdempotencyEnv, IdempotencyHandle, KeysTransactionOf } from './transaction.js'
export { purgeIdempotencyKeys } from './purge.js'
export { type IdempotencyWrapper, withIdempotency } from './with-idempotency.js'

/**
 * Idempotency-Key middleware for Hono (IETF draft + Stripe): the first request with a
 * key runs the handler and stores its answer; a retry with the same key and request
 * gets that answer again (`Idempotent-Replayed: true`) without running the handler; a
 * retry while it runs gets 409, the key on another request 422. Mount authentication
 * before it and scope keys by account.
 *
 * The handler's writes and the stored answer commit together through
 * `c.get('idempotency').transaction(fn)` (see `IdempotencyHandle`); `tx` is typed by the store.
 *
 * @example
 * const store = sqliteStore({ path: 'app.db' })
 * app.post('/orders', idempotency({ store, scope: (c) => c.get('accountId') }), async (c) =>
 *   c.get('idempotency').transaction(async (tx) => {
 *     const [order] = await tx.insert(orders).values(await c.req.json()).returning()
 *     return c.json(order, 201)
 *   }))
 */
export function idempotency<S extends KeyStore>(options: IdempotencyOptions<Context, S>): MiddlewareHandler<IdempotencyEnv<KeysTransactionOf<S>>> {
  const idempotent = createIdempotent(resolveOptions(options))
  const scope = options.scope ?? (() => '')
  return async function idempotency(c, next) {
    const response = await idempotent<KeysTransactionOf<S>>({
      request: c.req.raw,
      scope: () => scope(c),
      // Hono caches the body it read, so the handler's c.req.json() still works.
      body: async () => new Uint8Array(await c.req.arrayBuffer()),
      // Hono turns a handler's throw into c.error and an onError answer; never kept.
      run: async (handle) => {
        c.set('idempotency', handle)
        await next()
        return { response: c.res, failed: c.error !== undefined }
      },
    })
    // Set, not returned: once the handler has answered, Hono ignores a returned response.
    if (response !== c.res) c.res = response
  }
}
