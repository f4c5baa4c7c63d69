import type { DeadLetterHandler, ErrorHandler, Handler, HandlerOptions } from './types.js'
import { utf8 } from './bytes.js'

interface Registration {
  provider: string | undefined
  type: string | undefined
  /** The handler's identity in the store's success records: its `name`, or the default below. */
  name: string
  handler: Handler
}

/** A handler's identity, as the store keeps it: at most 255 bytes of UTF-8 (MySQL's key). */
const MAX_NAME_BYTES = 255

/**
 * The on / onAny / onError registry. One list keeps registration order across
 * all three kinds of handler, so an event's handlers run in the order they
 * were registered.
 */
export function createHandlers(providerNames: readonly string[]) {
  const registrations: Registration[] = []
  const errorHandlers: ErrorHandler[] = []
  const deadLetterHandlers: DeadLetterHandler[] = []

  /**
   * Without a `name`, `on:<provider>:<type>#<n>` or `any#<n>`, n counting the registrations
   * of that shape from 1: stable across restarts while they are made in the same order.
   */
  function register(method: string, provider: string | undefined, type: string | undefined, handler: Handler, options: HandlerOptions | undefined) {
    const shape = provider === undefined ? 'any' : `on:${provider}:${type}`
    const name = options?.name ?? `${shape}#${registrations.filter((r) => r.provider === provider && r.type === type).length + 1}`
    if (typeof name !== 'string' || name === '' || utf8(name).length > MAX_NAME_BYTES) {
      throw new TypeError(`[webhook-inbox] ${method}(): a handler's name must be a non-empty string of at most ${MAX_NAME_BYTES} bytes`)
    }
    if (registrations.some((r) => r.name === name)) {
      throw new TypeError(`[webhook-inbox] ${method}(): a handler named "${name}" is already registered; give each handler its own { name }`)
    }
    registrations.push({ provider, type, name, handler })
  }

  return {
    on(provider: string, type: string, handler: Handler, options?: HandlerOptions) {
      if (!providerNames.includes(provider)) {
        throw new TypeError(
          `[webhook-inbox] on(): no provider named "${provider}" (configured: ${providerNames.join(', ') || 'none'})`,
        )
      }
      if (type === '*' || type === '') {
        throw new TypeError('[webhook-inbox] on(): use onAny(handler) for every event')
      }
      register('on', provider, type, handler, options)
    },
    onAny(handler: Handler, options?: HandlerOptions) {
      register('onAny', undefined, undefined, handler, options)
    },
    onError(handler: ErrorHandler) {
      errorHandlers.push(handler)
    },
    onDeadLetter(handler: DeadLetterHandler) {
      deadLetterHandlers.push(handler)
    },
    /** A handler for `issues` also runs for `issues.opened`: the type plus any `.suffix`. */
    handlersFor(provider: string, type: string): { name: string; handler: Handler }[] {
      return registrations
        .filter(
          (r) =>
            (r.provider === undefined || r.provider === provider) &&
            (r.type === undefined || r.type === type || type.startsWith(`${r.type}.`)),
        )
        .map(({ name, handler }) => ({ name, handler }))
    },
    errorHandlers,
    deadLetterHandlers,
  }
}
