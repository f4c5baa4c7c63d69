import { WebhookError } from './errors.js'
import { describe, notifyError } from './notify.js'
import { readBody } from './read-body.js'
import { answer, errorAnswer } from './response.js'
import { guardStore, type RunOutcome, runEvent, runQueued } from './run-event.js'
import type { InboxState } from './state.js'

// ignoreBOM: the stored body must keep every byte that was signed.
const decoder = new TextDecoder('utf-8', { fatal: false, ignoreBOM: true })

/** Hands queued work to the runtime: `ctx.waitUntil` on Workers, an in-process promise on Node. */
export type Defer = (work: () => Promise<unknown>) => void

function answerRun(outcome: RunOutcome): Response {
  switch (outcome.status) {
    case 'processed':
      return outcome.reply ?? answer('processed')
    case 'lost':
      return answer('duplicate')
    case 'released':
      return errorAnswer(new WebhookError('shutting_down', 'the inbox is shutting down; the event is stored and will run again'))
    default:
      return errorAnswer(outcome.error)
  }
}

/**
 * One delivery, start to answer: provider → method → body (413) → verify → claim →
 * run handlers (inline) or hand the stored event to `defer` (queue) → answer.
 */
export async function receive(state: InboxState, name: string, request: Request, defer: Defer): Promise<Response> {
  try {
    const provider = Object.hasOwn(state.providers, name) ? state.providers[name] : undefined
    if (provider === undefined) {
      const configured = Object.keys(state.providers).join(', ')
      throw new WebhookError('unknown_provider', `no provider named "${name}" (configured: ${configured})`)
    }
    if (request.method !== 'POST') {
      throw new WebhookError('method_not_allowed', `${name}: ${request.method} is not allowed, webhooks are POSTed`)
    }
    const limits = { maxBytes: provider.maxBodyBytes, budget: state.bodyBudget, timeoutMs: state.bodyTimeoutMs }
    const { bytes: rawBody, release } = await readBody(request, name, limits)
    let verified: Awaited<ReturnType<typeof provider.verify>>
    try {
      verified = await provider.verify(request, rawBody)
    } catch (cause) {
      if (cause instanceof WebhookError) throw cause
      // A verifier that throws on input it did not expect has still not verified it.
      throw new WebhookError('signature_mismatch', `${name}: signature could not be verified (${describe(cause)})`, { cause })
    } finally {
      // Verified or not, the bytes no longer count against unauthenticated reads.
      release()
    }
    if (verified instanceof Response) return verified
    if (state.stopping) throw new WebhookError('shutting_down', `${name}: the inbox is shutting down; deliver again later`)
    const headers: Record<string, string> = {}
    for (const header of provider.storedHeaders) {
      const value = request.headers.get(header)
      if (value !== null) headers[header] = value
    }
    const event = { provider: name, eventId: verified.id, type: verified.type, body: decoder.decode(rawBody), headers }
    const queue = state.mode === 'queue'
    const claim = await guardStore('claim', () =>
      state.store.claim(event, { now: state.now(), leaseMs: state.leaseMs, queue }),
    )
    if (claim.outcome === 'duplicate') return answer('duplicate')
    if (claim.outcome === 'queued') {
      // The row is committed before this 202 is built: a crash from here on loses nothing.
      defer(() => runQueued(state, { provider: name, eventId: verified.id }).catch((error: unknown) => notifyError(state, asWebhookError(error))))
      return answer('queued', 202)
    }
    return answerRun(await runEvent(state, claim.event, verified.payload))
  } catch (error) {
    const failure = asWebhookError(error, name)
    await notifyError(state, failure)
    return errorAnswer(failure)
  }
}

function asWebhookError(error: unknown, name = 'inbox'): WebhookError {
  return error instanceof WebhookError
    ? error
    : new WebhookError('internal_error', `${name}: unexpected failure (${describe(error)})`, { cause: error })
}
