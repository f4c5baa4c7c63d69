import { concatBytes } from '../bytes.js'
import type { StoredResponse } from '../stores/types.js'

/** Transient answers (another run holds a lock; rate limited) are never kept, as Stripe does; nor are failures. */
export const isKept = (status: number) => status < 500 && status !== 409 && status !== 429

/**
 * The response to store: its status, the listed headers, and its body read from a
 * clone, so the original still goes to the client. Undefined when the body is larger
 * than `maxBytes`; counting stops there instead of buffering it all.
 */
export async function captureResponse(response: Response, headerNames: readonly string[], maxBytes: number): Promise<StoredResponse | undefined> {
  if (Number(response.headers.get('content-length') ?? 0) > maxBytes) return undefined
  const chunks: Uint8Array[] = []
  let size = 0
  const reader = response.clone().body?.getReader()
  while (reader) {
    const { done, value } = await reader.read()
    if (done) break
    size += value.length
    if (size > maxBytes) {
      // Not awaited: a tee branch's cancel settles only once the client's branch is done too.
      reader.cancel().catch(() => {})
      return undefined
    }
    chunks.push(value)
  }
  const headers: Record<string, string> = {}
  for (const name of headerNames) {
    const value = response.headers.get(name)
    if (value !== null) headers[name] = value
  }
  return { status: response.status, headers, body: concatBytes(...chunks) }
}

export function replayResponse({ status, headers, body }: StoredResponse): Response {
  const replayed = new Response(body.length === 0 ? null : body, { status, headers })
  replayed.headers.set('idempotent-replayed', 'true')
  return replayed
}
