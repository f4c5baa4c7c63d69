import { concatBytes } from './bytes.js'
import { WebhookError } from './errors.js'

function tooLarge(provider: string, size: string, limit: number) {
  return new WebhookError('body_too_large', `${provider}: body is ${size} bytes (limit ${limit})`)
}

/**
 * Reads the raw body, never holding more than `limit` bytes: a declared
 * Content-Length over the limit is refused before reading, and a chunked body
 * is counted as it streams and cancelled at the limit.
 */
export async function readBody(request: Request, limit: number, provider: string): Promise<Uint8Array> {
  try {
    return await read(request, limit, provider)
  } catch (cause) {
    if (cause instanceof WebhookError) throw cause
    throw new WebhookError('invalid_body', `${provider}: body could not be read (the client went away?)`, { cause })
  }
}

async function read(request: Request, limit: number, provider: string): Promise<Uint8Array> {
  const declared = request.headers.get('content-length')
  if (declared !== null) {
    if (Number(declared) > limit) throw tooLarge(provider, declared, limit)
    // arrayBuffer() before touching `body`: on Node, @hono/node-server reads the socket
    // directly for it, where `body` would first build a full Request and AbortController.
    const body = new Uint8Array(await request.arrayBuffer())
    if (body.length > limit) throw tooLarge(provider, String(body.length), limit)
    return body
  }
  if (request.body === null) return new Uint8Array(0)
  const chunks: Uint8Array[] = []
  let size = 0
  const reader = request.body.getReader()
  for (;;) {
    const { done, value } = await reader.read()
    if (done) break
    size += value.length
    if (size > limit) {
      await reader.cancel()
      throw tooLarge(provider, `over ${limit}`, limit)
    }
    chunks.push(value)
  }
  return concatBytes(...chunks)
}
