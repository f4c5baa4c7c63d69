import { utf8 } from '../bytes.js'
import type { StoredResponse } from '../store.js'
import type { Copy } from './copy-body.js'
import { problemParts } from './problem.js'

/** Transient answers (another run holds a lock; rate limited) are never kept, as Stripe does; nor are failures. */
export const isKept = (status: number) => status < 500 && status !== 409 && status !== 429

const count = (n: number) => n.toLocaleString('en-US')

/**
 * What a completed key answers from now on: the handler's status, the listed headers
 * and the body's exact bytes; or, when the body was over `maxBytes` or the client went
 * away before its end, a 410 problem saying the request ran and its answer was not kept.
 * Either way the key stays completed: a run that succeeded never runs again.
 */
export function toStored(response: Response, copy: Copy, headerNames: readonly string[], maxBytes: number): StoredResponse {
  const ran = `The request with this Idempotency-Key ran and answered ${response.status}`
  const notKept =
    copy.cancelled ? `${ran}, but its client went away after ${count(copy.size)} bytes of the answer, so it was not kept`
    : copy.body === undefined ? `${ran}, but its answer of ${count(copy.size)} bytes is over maxResponseBytes (${count(maxBytes)}), so it was not kept`
    : undefined
  if (notKept !== undefined) {
    const { status, headers, body } = problemParts('idempotency_response_not_kept', `${notKept}; it will not run again. Read its result another way, or use a new key for a new request.`)
    return { status, headers, body: utf8(body) }
  }
  const headers: Record<string, string> = {}
  for (const name of headerNames) {
    const value = response.headers.get(name)
    if (value !== null) headers[name] = value
  }
  return { status: response.status, headers, body: copy.body! }
}

export function replayResponse({ status, headers, body }: StoredResponse): Response {
  const replayed = new Response(body.length === 0 ? null : body, { status, headers })
  replayed.headers.set('idempotent-replayed', 'true')
  return replayed
}
