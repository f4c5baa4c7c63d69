import { type BodyBudget, type Reservation, reserve } from './body-budget.js'
import { concatBytes } from './bytes.js'
import type { BodyHash } from './provider.js'
import { WebhookError } from './errors.js'
import { asVerifyError } from './notify.js'

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
 * Declared bodies from this size on are streamed, like bodies without Content-Length:
 * reading them whole with arrayBuffer() holds them twice (on Node, @hono/node-server
 * collects the chunks, then joins them). Smaller ones take arrayBuffer()'s faster path.
 */
const STREAM_FROM = 1024 * 1024

/**
 * Reads the raw body, never holding more than `maxBytes`: a declared Content-Length
 * over the limit is refused before reading, and a streamed body is counted as it
 * arrives and cancelled at the limit. The bytes are reserved in the inbox's budget
 * before (declared) or while (without Content-Length) they are read; waiting for room
 * and reading share one deadline of `timeoutMs`. Every chunk is fed to `hash` as it
 * arrives, and `hash.check()` runs before a streamed body's chunks are joined: an
 * unsigned body is refused without ever being copied.
 */
export async function readBody(request: Request, provider: string, limits: BodyLimits, hash?: BodyHash): Promise<Body> {
  const reservation = reserve(limits.budget, provider)
  let timer: ReturnType<typeof setTimeout> | undefined
  const expired = new Promise<typeof EXPIRED>((resolve) => {
    timer = setTimeout(() => resolve(EXPIRED), limits.timeoutMs)
  })
  try {
    const bytes = await read(request, provider, limits, reservation, expired, hash)
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
  hash: BodyHash | undefined,
): Promise<Uint8Array> {
  const declared = request.headers.get('content-length')
  if (declared !== null && Number(declared) > limit) throw tooLarge(provider, declared, limit)
  const size = Number(declared ?? Number.NaN)
  const known = Number.isSafeInteger(size) && size >= 0
  if (known) await reservation.grow(size, expired)
  if (known && size < STREAM_FROM) {
    // arrayBuffer() before touching `body`: on Node, @hono/node-server reads the socket
    // directly for it, where `body` would first build a full Request and AbortController.
    // It cannot be cancelled; the 408 answer closes the connection instead (see errorAnswer).
    const buffer = await Promise.race([request.arrayBuffer(), expired])
    if (buffer === EXPIRED) throw tooSlow(provider, timeoutMs)
    // A view, not a copy.
    const body = new Uint8Array(buffer)
    if (body.length > limit) throw tooLarge(provider, String(body.length), limit)
    hash?.update(body)
    check(hash, provider)
    return body
  }
  const chunks: Uint8Array[] = []
  let read = 0
  await eachChunk(request, expired, () => tooSlow(provider, timeoutMs, String(read)), async (chunk) => {
    read += chunk.length
    if (read > limit) throw tooLarge(provider, `over ${limit}`, limit)
    if (!known) await reservation.grow(read, expired)
    else if (read > size) throw new WebhookError('invalid_body', `${provider}: body is longer than its Content-Length of ${size} bytes`)
    hash?.update(chunk)
    chunks.push(chunk)
  })
  check(hash, provider)
  return chunks.length === 1 ? chunks[0]! : concatBytes(...chunks)
}

function check(hash: BodyHash | undefined, provider: string) {
  try {
    hash?.check()
  } catch (error) {
    throw asVerifyError(error, provider)
  }
}

/** Hands each chunk of the body to `take` as it arrives; on any failure the body is cancelled. */
async function eachChunk(
  request: Request,
  expired: Promise<typeof EXPIRED>,
  stalled: () => WebhookError,
  take: (chunk: Uint8Array) => void | Promise<void>,
): Promise<void> {
  if (request.body === null) return
  const reader = request.body.getReader()
  try {
    for (;;) {
      const next = await Promise.race([reader.read(), expired])
      if (next === EXPIRED) throw stalled()
      if (next.done) return
      await take(next.value)
    }
  } catch (error) {
    // Not awaited: a source that is slow to cancel must not delay the answer.
    reader.cancel().catch(() => {})
    throw error
  }
}
