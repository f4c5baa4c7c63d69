
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
