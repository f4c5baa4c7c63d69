import { concatBytes } from '../bytes.js'

/**
 * What was read of a body sent to the client: its bytes up to the cap (undefined past
 * it), how many bytes it had, and whether the client went away before its end.
 */
export interface Copy {
  body: Uint8Array | undefined
  size: number
  cancelled: boolean
}

/**
 * The response as it goes to the client, chunk by chunk as the handler writes it (a
 * stream is never held back), and a copy of its body read alongside (a tee): `copied`
 * resolves at the body's end, or rejects if the body fails. `settle` then runs on the
 * copy (undefined when the body failed), and the client's stream closes only after it,
 * so a client that has read the whole answer finds the key settled. A client that goes
 * away cancels the handler's stream too, so an endless one (server-sent events) stops;
 * its cancel, too, resolves once the key is settled.
 */
export function streamWithCopy(
  response: Response,
  maxBytes: number,
  settle: (copy: Copy | undefined) => Promise<unknown>,
): { response: Response; copied: Promise<Copy>; settled: Promise<unknown> } {
  if (response.body === null) {
    const copied = Promise.resolve({ body: new Uint8Array(), size: 0, cancelled: false })
    return { response, copied, settled: copied.then(settle) }
  }
  const [toClient, toCopy] = response.body.tee()
  const clientReader = toClient.getReader()
  const copyReader = toCopy.getReader()
  let cancelled = false
  const copied = readCopy(copyReader, maxBytes, () => cancelled)
  const settled = copied.then(settle, () => settle(undefined))
  const body = new ReadableStream<Uint8Array>({
    async pull(controller) {
      const { done, value } = await clientReader.read()
      if (!done) return controller.enqueue(value)
      await settled
      controller.close()
    },
    async cancel(reason) {
      cancelled = true
      await Promise.all([clientReader.cancel(reason), copyReader.cancel(reason)])
      await settled
    },
  })
  const { status, statusText, headers } = response
  return { response: new Response(body, { status, statusText, headers }), copied, settled }
}

async function readCopy(reader: ReadableStreamDefaultReader<Uint8Array>, maxBytes: number, cancelled: () => boolean): Promise<Copy> {
  const chunks: Uint8Array[] = []
  let size = 0
  for (;;) {
    const { done, value } = await reader.read()
    if (done) break
    size += value.length
    // Past the cap the bytes still reach the client; only their count is kept.
    if (size <= maxBytes) chunks.push(value)
    else chunks.length = 0
  }
  return { body: size <= maxBytes ? concatBytes(...chunks) : undefined, size, cancelled: cancelled() }
}
