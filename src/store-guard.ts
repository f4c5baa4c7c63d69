import { WebhookError } from './errors.js'
import type { OrderedStore, Store } from './store.js'

/**
 * The driver's own error, stripped of what query wrappers add: drizzle's
 * DrizzleQueryError puts the SQL and every parameter (a body with customer data, a
 * signature header) into its message, so it must reach neither an answer nor a log.
 */
function driverError(cause: unknown): Error {
  let inner = cause
  while (inner instanceof Error && 'params' in inner && inner.cause !== undefined) inner = inner.cause
  const source = inner instanceof Error ? inner : new Error(String(inner))
  const clean = new Error(source.message.split('\nparams:')[0]!.slice(0, 500))
  clean.name = source.name
  const code = (source as { code?: unknown }).code
  if (typeof code === 'string' || typeof code === 'number') Object.assign(clean, { code })
  return clean
}

export function storeUnavailable(what: string, cause: unknown): WebhookError {
  const error = driverError(cause)
  return new WebhookError('store_unavailable', `store: ${what} failed (${error.name}: ${error.message})`, { cause: error })
}

/** Wraps one of the user's functions run inside a store transaction, so that its own throw is told apart. */
export type Own = <A extends unknown[], R>(f: (...args: A) => R | Promise<R>) => (...args: A) => Promise<Awaited<R>>

/**
 * A store transaction around the user's code (`ctx.transaction`, an endpoint's
 * `transaction`): `run` passes each user function through `own`. A throw of the user's
 * reaches the caller unchanged; any other failure (BEGIN, a lock, COMMIT) is
 * `store_unavailable`, without the query's parameters.
 */
export async function userTransaction<T>(what: string, run: (own: Own) => Promise<T>): Promise<T> {
  let thrown: { error: unknown } | undefined
  function own<A extends unknown[], R>(f: (...args: A) => R | Promise<R>) {
    return async (...args: A): Promise<Awaited<R>> => {
      try {
        return await f(...args)
      } catch (error) {
        thrown = { error }
        throw error
      }
    }
  }
  try {
    return await run(own)
  } catch (error) {
    if (thrown !== undefined) throw thrown.error
    throw error instanceof WebhookError ? error : storeUnavailable(what, error)
  }
}

// Keyed by every Store method, so one added to Store and forgotten here fails to compile.
// onDue is a synchronous subscription, not a call that can fail: passed through as it is.
const GUARDED: Record<Exclude<keyof Store, 'onDue'>, true> = {
  claim: true,
  take: true,
  takeDue: true,
  handled: true,
  markHandled: true,
  complete: true,
  fail: true,
  requeue: true,
  requeueAll: true,
  release: true,
  purge: true,
  get: true,
  list: true,
  stats: true,
  activity: true,
  close: true,
}
// Guarded when the store has them: ordering per entity.
const GUARDED_IF_PRESENT: Record<Exclude<keyof OrderedStore, keyof Store>, true> = { hold: true, settle: true, letGo: true }

/**
 * Every store call, in one place: a failure becomes `store_unavailable` (503) with a
 * cause that carries no query parameters, whichever method failed.
 */
export function guardStore(store: Store & Partial<OrderedStore>): Store & Partial<OrderedStore> {
  const guarded: Record<string, unknown> = store.onDue ? { onDue: store.onDue.bind(store) } : {}
  const present = (Object.keys(GUARDED_IF_PRESENT) as (keyof typeof GUARDED_IF_PRESENT)[]).filter((method) => typeof store[method] === 'function')
  for (const method of [...(Object.keys(GUARDED) as (keyof typeof GUARDED)[]), ...present]) {
    const call = store[method] as (...args: unknown[]) => Promise<unknown>
    guarded[method] = async (...args: unknown[]) => {
      try {
        return await call.apply(store, args)
      } catch (cause) {
        throw cause instanceof WebhookError ? cause : storeUnavailable(method, cause)
      }
    }
  }
  return guarded as unknown as Store & Partial<OrderedStore>
}
