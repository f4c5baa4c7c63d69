import type { DeadLetterHandler, ErrorHandler, Handler } from './types.js'

interface Registration {
  provider: string | undefined
  type: string | undefined
  handler: Handler
}

/**
 * The on / onAny / onError registry. One list keeps registration order across
 * all three kinds of handler, so an event's handlers run in the order they
 * were registered.
 */
export function createHandlers(providerNames: readonly string[]) {
  const registrations: Registration[] = []
  const errorHandlers: ErrorHandler[] = []
  const deadLetterHandlers: DeadLetterHandler[] = []

  return {
    on(provider: string, type: string, handler: Handler) {
      if (!providerNames.includes(provider)) {
        throw new TypeError(
          `[webhook-inbox] on(): no provider named "${provider}" (configured: ${providerNames.join(', ') || 'none'})`,
        )
      }
      if (type === '*' || type === '') {
        throw new TypeError('[webhook-inbox] on(): use onAny(handler) for every event')
      }
      registrations.push({ provider, type, handler })
    },
    onAny(handler: Handler) {
      registrations.push({ provider: undefined, type: undefined, handler })
    },
    onError(handler: ErrorHandler) {
      errorHandlers.push(handler)
    },
    onDeadLetter(handler: DeadLetterHandler) {
      deadLetterHandlers.push(handler)
    },
    /** A handler for `issues` also runs for `issues.opened`: the type plus any `.suffix`. */
    handlersFor(provider: string, type: string): Handler[] {
      return registrations
        .filter(
          (r) =>
            (r.provider === undefined || r.provider === provider) &&
            (r.type === undefined || r.type === type || type.startsWith(`${r.type}.`)),
        )
        .map((r) => r.handler)
    },
    errorHandlers,
    deadLetterHandlers,
  }
}
