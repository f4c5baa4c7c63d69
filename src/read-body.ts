import { type BodyBudget, type Reservation, reserve } from './body-budget.js'
import { concatBytes } from './bytes.js'
import { WebhookError } from './errors.js'

/** What reading a body may use: the provider's size limit, the inbox's shared budget and its time limit. */
export interface BodyLimits {
  maxBytes: number
  budget: BodyBudget
  timeoutMs: number
}

/** The raw body, and the budget it holds until `release()` (once it has been verified). */
export interface Body {
  bytes: Uint8Array
  release(): void
}

const EXPIRED = Symbol('expired')

function tooLarge(provider: string, size: string, limit: number) {
  return new WebhookError('body_too_large', `${provider}: body is ${size} bytes (limit ${limit})`)
}

function tooSlow(provider: string, timeoutMs: number, read?: string) {
  const progress = read === undefined ? '' : ` (${read} bytes arrived)`
  return new WebhookError('body_timeout', `${provider}: body did not arrive within ${timeoutMs} ms${progress}`)
}

/**
 * Reads the raw body, never holding more than `maxBytes`: a declared Content-Length
 * over the limit is refused before reading, and a chunked body is counted as it
 * streams and cancelled at the limit. The bytes are reserved in the inbox's budget
 * before (declared) or while (streamed) they are read; waiting for room and reading
 * share one deadline of `timeoutMs`.
 */
export async function readBody(request: Request, provider: string, limits: BodyLimits): Promise<Body> {
  const reservation = reserve(limits.budget, provider)
  let timer: ReturnType<typeof setTimeout> | undefined
  const expired = new Promise<typeof EXPIRED>((resolve) => {
    timer = setTimeout(() => resolve(EXPIRED), limits.timeoutMs)
  })
  try {
    const bytes = await read(request, provider, limits, reservation, expired)
    return { bytes, release: reservation.release }
  } catch (cause) {
    reservation.release()
    if (cause instanceof WebhookError) throw cause
    throw new WebhookError('invalid_body', `${provider}: body could not be read (the client went away?)`, { cause })
  } finally {
    clearTimeout(timer)
  }
}

async function read(
  request: Request,
  provider: string,
  { maxBytes: limit, timeoutMs }: BodyLimits,
  reservation: Reservation,
  expired: Promise<typeof EXPIRED>,
): Promise<Uint8Array> {
  const declared = request.headers.get('content-length')
  if (declared !== null && Number(declared) > limit) throw tooLarge(provider, declared, limit)
  const size = Number(declared ?? Number.NaN)
  if (Number.isSafeInteger(size) && size >= 0) {
    await reservation.grow(size, expired)
    // arrayBuffer() before touching `body`: on Node, @hono/node-server reads the socket
    // directly for it, where `body` would first build a full Request and AbortController.
    // Streaming `body` into a buffer of the declared size is not cheaper there either:
    // Readable.toWeb queues the whole body first (measured: a higher peak RSS).
    // It cannot be cancelled; the 408 answer closes the connection instead (see errorAnswer).
    const buffer = await Promise.race([request.arrayBuffer(), expired])
    if (buffer === EXPIRED) throw tooSlow(provider, timeoutMs)
    // A view, not a copy.
    const body = new Uint8Array(buffer)
    if (body.length > limit) throw tooLarge(provider, String(body.length), limit)
    return body
  }
  if (request.body === null) return new Uint8Array(0)
  const chunks: Uint8Array[] = []
  let read = 0
  const reader = request.body.getReader()
  try {
    for (;;) {
      const next = await Promise.race([reader.read(), expired])
      if (next === EXPIRED) throw tooSlow(provider, timeoutMs, String(read))
      if (next.done) break
      read += next.value.length
      if (read > limit) throw tooLarge(provider, `over ${limit}`, limit)
      await reservation.grow(read, expired)
      chunks.push(next.value)
    }
  } catch (error) {
    // Not awaited: a source that is slow to cancel must not delay the answer.
    reader.cancel().catch(() => {})
    throw error
  }
  return chunks.length === 1 ? chunks[0]! : concatBytes(...chunks)
}
