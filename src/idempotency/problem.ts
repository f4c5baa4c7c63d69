const PROBLEMS = {
  idempotency_key_missing: [400, 'Idempotency-Key header required'],
  idempotency_key_malformed: [400, 'Idempotency-Key header malformed'],
  idempotency_key_in_use: [409, 'Idempotency-Key in use'],
  idempotency_key_reused: [422, 'Idempotency-Key reused for another request'],
  store_unavailable: [503, 'Idempotency store unavailable'],
} as const

export type ProblemCode = keyof typeof PROBLEMS

/** An RFC 9457 problem answer; `detail` says what the client should do. */
export function problem(code: ProblemCode, detail: string): Response {
  const [status, title] = PROBLEMS[code]
  const headers = new Headers({ 'content-type': 'application/problem+json' })
  // In use and unavailable are transient: the same request succeeds once the other run ends.
  if (status === 409 || status === 503) headers.set('retry-after', '1')
  return new Response(JSON.stringify({ type: `urn:webhook-inbox:problem:${code}`, title, status, detail, code }), { status, headers })
}
