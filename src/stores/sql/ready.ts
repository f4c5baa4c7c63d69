import { WebhookError } from '../../errors.js'

/** Every method of `methods`, each first awaiting `ready` (connected, migrated): one wrapper instead of one await per method. */
export function afterReady<T extends { [K in keyof T]: (...args: never[]) => Promise<unknown> }>(methods: T, ready: () => Promise<void>): T {
  const wrapped: Record<string, unknown> = {}
  for (const [name, method] of Object.entries(methods as Record<string, (...args: never[]) => Promise<unknown>>)) {
    wrapped[name] = async (...args: never[]) => {
      await ready()
      return method(...args)
    }
  }
  return wrapped as T
}

/**
 * A server store's `ready()`: `connect` (connect, and migrate) runs on first use and its
 * success is kept; a failure is not, since an outage at start-up must not outlive the
 * outage, and becomes `failed(cause)`. Once `closed()`, every call refuses.
 */
export function readiness(dialect: string, connect: () => Promise<unknown>, failed: (cause: unknown) => WebhookError, closed: () => boolean) {
  let readying: Promise<void> | undefined
  return function ready(): Promise<void> {
    if (closed()) return Promise.reject(new WebhookError('store_unavailable', `${dialect}: the store is closed`))
    return (readying ??= connect().then(
      () => {},
      (cause: unknown) => {
        readying = undefined
        throw failed(cause)
      },
    ))
  }
}
