/**
 * Stable, machine-readable reasons for an answer. Users switch on these, so
 * they never change meaning; messages are for people and may.
 */
export type WebhookErrorCode =
  | 'missing_header'
  | 'malformed_header'
  | 'invalid_body'
  | 'missing_event_id'
  | 'signature_mismatch'
  | 'timestamp_too_old'
  | 'timestamp_in_future'
  | 'unknown_provider'
  | 'method_not_allowed'
  | 'body_too_large'
  | 'body_timeout'
  | 'handler_failed'
  | 'store_unavailable'
  | 'internal_error'
  | 'shutting_down'
  | 'server_busy'
  | 'body_already_parsed'
  | 'transaction_unsupported'

const STATUS: Record<WebhookErrorCode, number> = {
  missing_header: 400,
  malformed_header: 400,
  invalid_body: 400,
  missing_event_id: 400,
  signature_mismatch: 401,
  timestamp_too_old: 401,
  timestamp_in_future: 401,
  unknown_provider: 404,
  method_not_allowed: 405,
  body_too_large: 413,
  body_timeout: 408,
  handler_failed: 500,
  store_unavailable: 503,
  internal_error: 500,
  shutting_down: 503,
  server_busy: 503,
  // A mounting mistake, not the provider's: 500 so the provider keeps retrying until it is fixed.
  body_already_parsed: 500,
  // A handler written for another store (D1 has no interactive transactions): the event fails and is retried.
  transaction_unsupported: 500,
}

/**
 * The one error type of webhook-inbox. Its status is derived from its code, so
 * a 401 can never be raised with a 400's code by mistake.
 *
 * Messages name what failed and the measured value against the limit; they
 * never contain a secret, a signature or the body.
 */
export class WebhookError extends Error {
  override readonly name = 'WebhookError'
  readonly code: WebhookErrorCode
  readonly status: number

  constructor(code: WebhookErrorCode, message: string, options?: { cause?: unknown }) {
    super(`[webhook-inbox] ${message}`, options)
    this.code = code
    this.status = STATUS[code]
  }
}

/** Builds the error for one provider, so every message carries its name. */
export function providerError(provider: string) {
  return (code: WebhookErrorCode, message: string, cause?: unknown): WebhookError =>
    new WebhookError(code, `${provider}: ${message}`, cause === undefined ? undefined : { cause })
}
