const PROBLEMS = {
  idempotency_key_missing: [400, 'Idempotency-Key header required'],
  idempotency_key_malformed: [400, 'Idempotency-Key header malformed'],
  idempotency_key_in_use: [409, 'Idempotency-Key in use'],
  idempotency_response_not_kept: [410, 'Idempotency-Key response not kept'],
  idempotency_key_reused: [422, 'Idempotency-Key reused for another request'],
  store_unavailable: [503, 'Idempotency store unavailable'],
} as const

export type ProblemCode = keyof typeof PROBLEMS

/** An RFC 9457 problem's status, headers and JSON body; `detail` says what the client should do. */
export function problemParts(code: ProblemCode, detail: string) {
  const [status, title] = PROBLEMS[code]
  const headers: Record<string, string> = { 'content-type': 'application/problem+json' }
  // In use and unavailable are transient: the same request succeeds once the other run ends.
  if (status === 409 || status === 503) headers['retry-after'] = '1'
  return { status, headers, body: JSON.stringify({ type: `urn:webhook-inbox:problem:${code}`, title, status, detail, code }) }
}

/** An RFC 9457 problem answer. */
export function problem(code: ProblemCode, detail: string): Response {
  const { status, headers, body } = problemParts(code, detail)
  return new Response(body, { status, headers })
}
