import { WebhookError } from './errors.js'

/** The `webhook-inbox-status` header's values. */
export type AnswerStatus = 'processed' | 'duplicate' | 'stale' | 'queued' | 'accepted' | 'failed'

export const STATUS_HEADER = 'webhook-inbox-status'

/** What each answer this module built says in its status header, read without parsing its headers. */
const statuses = new WeakMap<Response, AnswerStatus>()

/** The `webhook-inbox-status` of an answer, or null for a Response that carries none (a URL check). */
export function answerStatus(response: Response): AnswerStatus | null {
  return statuses.get(response) ?? (response.headers.get(STATUS_HEADER) as AnswerStatus | null)
}

/**
 * A JSON answer from a string body and a plain header object: the Node adapter writes
 * such a Response straight to the socket, where `Response.json()`'s stream would be read
 * chunk by chunk.
 */
function json(body: unknown, status: number, headers: Record<string, string>): Response {
  return new Response(JSON.stringify(body), { status, headers: { 'content-type': 'application/json', ...headers } })
}

function marked(response: Response, status: AnswerStatus): Response {
  statuses.set(response, status)
  return response
}

// The bodies never change, so each is encoded once.
const BODIES = Object.fromEntries(
  (['processed', 'duplicate', 'stale', 'queued', 'accepted', 'failed'] as const).map((status) => [status, JSON.stringify({ ok: true, status })]),
) as Record<AnswerStatus, string>

export function answer(status: AnswerStatus, httpStatus = 200): Response {
  const headers = { 'content-type': 'application/json', [STATUS_HEADER]: status }
  return marked(new Response(BODIES[status], { status: httpStatus, headers }), status)
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
  const response = json({ ok: false, status, code: error.code, error: error.message }, error.status, headers)
  return status === 'failed' ? marked(response, status) : response
}

/**
 * The `deadline` mode's answer when the handlers are still running at the provider's
 * deadline. Empty for providers that show the answer's body to a person (Slack).
 */
export function acceptedAnswer(bodyIsShown: boolean): Response {
  return bodyIsShown ? marked(new Response(null, { status: 200, headers: { [STATUS_HEADER]: 'accepted' } }), 'accepted') : answer('accepted', 202)
}

/** A handler's own answer (Slack interactivity, slash commands): a Response as is, anything else as JSON. */
export function replyAnswer(reply: unknown): Response {
  if (!(reply instanceof Response)) return marked(json(reply, 200, { [STATUS_HEADER]: 'processed' }), 'processed')
  const response = new Response(reply.body, reply)
  response.headers.set(STATUS_HEADER, 'processed')
  return marked(response, 'processed')
}
