import { WebhookError } from './errors.js'

/** `webhook-inbox-status` values; `rejected` marks a request that never reached the store. */
export type AnswerStatus = 'processed' | 'duplicate' | 'queued' | 'failed' | 'rejected'

export const STATUS_HEADER = 'webhook-inbox-status'

export function answer(status: AnswerStatus, httpStatus = 200): Response {
  return Response.json({ ok: true, status }, { status: httpStatus, headers: { [STATUS_HEADER]: status } })
}

export function errorAnswer(error: WebhookError): Response {
  const status: AnswerStatus = error.status >= 500 ? 'failed' : 'rejected'
  const headers: Record<string, string> = { [STATUS_HEADER]: status }
  if (error.code === 'method_not_allowed') headers.allow = 'POST'
  return Response.json({ ok: false, status, code: error.code, error: error.message }, { status: error.status, headers })
}

/** A handler's own answer (Slack interactivity, slash commands): a Response as is, anything else as JSON. */
export function replyAnswer(reply: unknown): Response {
  const response = reply instanceof Response ? new Response(reply.body, reply) : Response.json(reply)
  response.headers.set(STATUS_HEADER, 'processed')
  return response
}
