import { WebhookError } from './errors.js'
import { stackOf } from './logger.js'
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

/** A verifier (or a provider's body hash) that throws on input it did not expect has still not verified it. */
export function asVerifyError(error: unknown, name: string): WebhookError {
  return error instanceof WebhookError
    ? error
    : new WebhookError('signature_mismatch', `${name}: signature could not be verified (${describe(error)})`, { cause: error })
}

/** Listeners must never turn an answer into a crash, so their own failures are only logged. */
async function callEach<A extends unknown[]>(state: InboxState, listeners: ((...args: A) => unknown)[], args: A, what: string) {
  for (const listener of listeners) {
    try {
      await listener(...args)
    } catch (failure) {
      state.logger.error(`[webhook-inbox] ${what} handler threw: ${describe(failure)}`)
    }
  }
}

/**
 * One line a log search can parse (code, status, event, message), then the stack of
 * the error that caused it: the handler's own TypeError, not our wrapper.
 */
export function errorLine(error: WebhookError, event?: InboxEvent): string {
  const where = event && { provider: event.provider, eventId: event.id, type: event.type, attempt: event.attempt }
  const line = `[webhook-inbox] ${JSON.stringify({ code: error.code, status: error.status, ...where, message: error.message })}`
  return error.cause === undefined ? line : `${line}\n${stackOf(error.cause)}`
}

/** Tells onError listeners (the original error is `error.cause`); with none registered, 5xx errors are logged with it. */
export async function notifyError(state: InboxState, error: WebhookError, event?: InboxEvent) {
  const listeners = state.handlers.errorHandlers
  if (listeners.length === 0) {
    if (error.status >= 500) state.logger.error(errorLine(error, event))
    return
  }
  await callEach(state, listeners, [error, event], 'onError')
}

export async function notifyDeadLetter(state: InboxState, event: InboxEvent, error: WebhookError) {
  await callEach(state, state.handlers.deadLetterHandlers, [event, error], 'onDeadLetter')
}
