import { WebhookError } from './errors.js'

/** The `webhook-inbox-status` header's values. */
export type AnswerStatus = 'processed' | 'duplicate' | 'queued' | 'accepted' | 'failed'

export const STATUS_HEADER = 'webhook-inbox-status'

export function answer(status: AnswerStatus, httpStatus = 200): Response {
  return Response.json({ ok: true, status }, { status: httpStatus, headers: { [STATUS_HEADER]: status } })
}

/**
 * 5xx answers carry `failed` (the provider should retry); a 4xx request was
 * rejected before the store and carries no status header, only `"rejected"` in the body.
 */
export function errorAnswer(error: WebhookError): Response {
  const headers: Record<string, string> = {}
  if (error.status >= 500) headers[STATUS_HEADER] = 'failed'
  if (error.code === 'method_not_allowed') headers.allow = 'POST'
  // The rest of a slow body may still be arriving; only closing the connection stops it.
  if (error.code === 'body_timeout') headers.connection = 'close'
  const status = error.status >= 500 ? 'failed' : 'rejected'
  return Response.json({ ok: false, status, code: error.code, error: error.message }, { status: error.status, headers })
}

/**
 * The `deadline` mode's answer when the handlers are still running at the provider's
 * deadline. Empty for providers that show the answer's body to a person (Slack).
 */
export function acceptedAnswer(bodyIsShown: boolean): Response {
  return bodyIsShown ? new Response(null, { status: 200, headers: { [STATUS_HEADER]: 'accepted' } }) : answer('accepted', 202)
}

/** A handler's own answer (Slack interactivity, slash commands): a Response as is, anything else as JSON. */
export function replyAnswer(reply: unknown): Response {
  const response = reply instanceof Response ? new Response(reply.body, reply) : Response.json(reply)
  response.headers.set(STATUS_HEADER, 'processed')
  return response
}
