// Type tests, checked by `npm run typecheck` (never run): what `transaction(fn)` hands
// `fn` comes from the store given to idempotency() / withIdempotency(), with no annotation.
import { Hono } from 'hono'
import { expectTypeOf } from 'vitest'
import { idempotency, type IdempotencyHandle, withIdempotency } from '../../src/idempotency/index.js'
import { type D1Binding, d1Store } from '../../src/stores/d1/index.js'
import { type SqliteTransaction, sqliteStore } from '../../src/stores/sqlite/index.js'

declare const sqlite: ReturnType<typeof sqliteStore>
declare const d1: D1Binding

new Hono().post('/orders', idempotency({ store: sqlite }), (c) => {
  expectTypeOf(c.get('idempotency')).toEqualTypeOf<IdempotencyHandle<SqliteTransaction>>()
  return c.get('idempotency').transaction((tx) => {
    expectTypeOf(tx).toEqualTypeOf<SqliteTransaction>()
    return c.body(null, 204)
  })
})

new Hono().post('/orders', idempotency({ store: d1Store(d1) }), (c) =>
  c.get('idempotency').transaction((tx) => {
    expectTypeOf(tx).toEqualTypeOf<unknown>()
    return c.body(null, 204)
  }),
)

// fn returns the Response to send and store; anything else is refused.
new Hono().post('/orders', idempotency({ store: sqlite }), (c) =>
  // @ts-expect-error: fn must return a Response
  c.get('idempotency').transaction(() => ({ id: 1 })),
)

// A route without the middleware has no handle.
// @ts-expect-error: 'idempotency' is not a variable of this route
new Hono().post('/orders', (c) => c.get('idempotency'))

const idempotent = withIdempotency({ store: sqlite })
idempotent(async (request: Request, env: { region: string }) => {
  expectTypeOf(env).toEqualTypeOf<{ region: string }>()
  return idempotent.of(request).transaction((tx) => {
    expectTypeOf(tx).toEqualTypeOf<SqliteTransaction>()
    return new Response(null, { status: 204 })
  })
})
