import { streamWithCopy } from './copy-body.js'
import { fingerprint } from './fingerprint.js'
import { parseKey } from './key-header.js'
import type { IdempotencyConfig } from './options.js'
import { problem } from './problem.js'
import { createPurger } from './purge.js'
import { isKept, replayResponse, toStored } from './stored-response.js'
import { type IdempotencyHandle, transactionHandle } from './transaction.js'

/** The handler's answer; `failed` when it threw but the framework already turned that into a response. */
export interface Outcome {
  response: Response
  failed: boolean
}

/** `Tx`: what the store's key transactions hand `fn` (see `transactionHandle`). */
export interface IdempotentRequest<Tx> {
  request: Request
  scope: () => string | Promise<string>
  /** The raw body, read so that the handler can still read it. */
  body: () => Promise<Uint8Array>
  /** Runs the handler, which may use `handle.transaction()`; may throw. */
  run: (handle: IdempotencyHandle<Tx>) => Promise<Outcome>
}

/** Whether `promise` settles before the next turn of the event loop. */
async function settlesThisTurn(promise: Promise<unknown>): Promise<boolean> {
  let timer: ReturnType<typeof setTimeout> | undefined
  const nextTurn = new Promise<boolean>((resolve) => (timer = setTimeout(() => resolve(false), 0)))
  try {
    return await Promise.race([promise.then(() => true, () => true), nextTurn])
  } finally {
    clearTimeout(timer)
  }
}

/**
 * The Idempotency-Key flow shared by the Hono middleware and `withIdempotency`: at most
 * two store writes per request (begin, then finish or release, or the handler's
 * transaction, which stores the answer with its writes); a replay, a 409 or a 422
 * costs one write and one read.
 */
export function createIdempotent(config: IdempotencyConfig) {
  const { keys } = config
  const purgeNow = createPurger(keys)

  return async function idempotent<Tx>({ request, scope, body, run }: IdempotentRequest<Tx>): Promise<Response> {
    const method = request.method.toUpperCase()
    const header = config.methods.has(method) ? request.headers.get('idempotency-key') : null
    if (header === null) {
      if (config.required && config.methods.has(method)) {
        return problem('idempotency_key_missing', `${method} here needs an Idempotency-Key header: send a new unique value (a UUID) per operation, and the same value when you retry it.`)
      }
      return (await run(transactionHandle<Tx>(config, undefined).handle)).response
    }
    const key = parseKey(header)
    if (key === undefined) {
      return problem('idempotency_key_malformed', 'An Idempotency-Key is 1 to 255 printable ASCII characters, sent as is or as a quoted string ("…"); send a UUID.')
    }
    const url = new URL(request.url)
    const path = url.pathname + url.search
    const id = { scope: await scope(), key }
    const now = config.now()
    purgeNow(now)
    let begun
    try {
      begun = await keys.begin({ ...id, fingerprint: await fingerprint(method, path, await body()), method, path }, { now, lockMs: config.lockMs, ttl: config.ttl })
    } catch {
      return problem('store_unavailable', 'The idempotency store could not be reached; nothing was run. Retry with the same key.')
    }
    if (begun.outcome === 'replay') return replayResponse(begun.response)
    if (begun.outcome === 'in_flight') return problem('idempotency_key_in_use', 'A request with this Idempotency-Key is still running; retry with the same key once it has finished.')
    if (begun.outcome === 'mismatch') {
      return problem('idempotency_key_reused', 'This Idempotency-Key was already used for a request with another method, path or body; use a new key for a new request.')
    }

    const release = () => keys.release(id, begun.token).catch(() => false)
    const { handle, settled } = transactionHandle<Tx>(config, { id, token: begun.token })
    let outcome: Outcome
    try {
      outcome = await run(handle)
    } catch (error) {
      if (!settled()) await release()
      throw error
    }
    const { response, failed } = outcome
    // Its transaction committed the answer with the writes, or released the key, or found it taken over.
    if (settled()) return response
    if (failed || !isKept(response.status)) {
      await release()
      return response
    }
    // The handler has run: its answer goes out even if storing it fails, and then the
    // key stays locked until lockMs, after which a retry runs again. A body that fails
    // midway releases the key, as a handler that throws does.
    const streamed = streamWithCopy(response, config.maxResponseBytes, async (copy) => {
      if (copy === undefined) return release()
      const stored = toStored(response, copy, config.storedHeaders, config.maxResponseBytes)
      return keys.finish(id, begun.token, stored, { now: config.now(), ttl: config.ttl }).catch(() => false)
    })
    // A body the handler had whole is read within this turn: it is kept before the answer
    // leaves, so a retry sent the moment the answer arrives is a replay. A stream goes out
    // as it comes, and its key is settled when it ends.
    if (await settlesThisTurn(streamed.copied)) await streamed.settled
    return streamed.response
  }
}
