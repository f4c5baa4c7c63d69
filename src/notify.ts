import { WebhookError } from './errors.js'
import type { InboxState } from './state.js'
import type { InboxEvent } from './types.js'

export function describe(error: unknown): string {
  const text = error instanceof Error ? `${error.name}: ${error.message}` : String(error)
  return text.slice(0, 2000)
}

export function asWebhookError(error: unknown, name = 'inbox'): WebhookError {
  return error instanceof WebhookError
    ? error
    : new WebhookError('internal_error', `${name}: unexpected failure (${describe(error)})`, { cause: error })
}

/** Listeners must never turn an answer into a crash, so their own failures are only logged. */
async function callEach<A extends unknown[]>(listeners: ((...args: A) => unknown)[], args: A, what: string) {
  for (const listener of listeners) {
    try {
      await listener(...args)
    } catch (failure) {
      console.error(`[webhook-inbox] ${what} handler threw: ${describe(failure)}`)
    }
  }
}

/** Tells onError listeners; with none registered, 5xx errors are logged (messages only). */
export async function notifyError(state: InboxState, error: WebhookError, event?: InboxEvent) {
  const listeners = state.handlers.errorHandlers
  if (listeners.length === 0) {
    if (error.status >= 500) console.error(error.message)
    return
  }
  await callEach(listeners, [error, event], 'onError')
}

export async function notifyDeadLetter(state: InboxState, event: InboxEvent, error: WebhookError) {
  await callEach(state.handlers.deadLetterHandlers, [event, error], 'onDeadLetter')
}
