import type { Provider, VerifiedEvent } from './provider.js'
import { sha256Hex } from './digest.js'
import { WebhookError } from './errors.js'
import { asVerifyError, asWebhookError, notifyError } from './notify.js'
import { refuseParsedBody } from './parsed-body.js'
import { readBody } from './read-body.js'
import type { DeliveryOutcome } from './metrics.js'
import { acceptedAnswer, answer, answerStatus, errorAnswer } from './response.js'
import { type RunOutcome, runEvent, runQueued } from './run-event.js'
import { type InboxState, track } from './state.js'
import { utf8 } from './bytes.js'

// ignoreBOM: the stored body must keep every byte that was signed.
const decoder = new TextDecoder('utf-8', { fatal: false, ignoreBOM: true })

/** Hands queued work to the runtime: `ctx.waitUntil` on Workers, an in-process promise on Node. */
export type Defer = (work: () => Promise<unknown>) => void

const shuttingDown = (name: string) => new WebhookError('shutting_down', `${name}: the inbox is shutting down; the event is stored and will run again`)

function answerRun(provider: Provider, name: string, outcome: RunOutcome): Response {
  switch (outcome.status) {
    case 'processed':
      return outcome.reply ?? answer('processed')
    case 'stale':
      return answer('stale')
    // Stored and due again once its entity is free: the sweeper runs it.
    case 'waiting':
      return acceptedAnswer(provider.handlerReplies === true)
    case 'lost':
      return answer('duplicate')
    case 'released':
      return errorAnswer(shuttingDown(name))
    default:
      return errorAnswer(outcome.error)
  }
}

/**
 * One delivery, start to answer: provider → method → body (413) → verify → claim →
 * run handlers (inline) or hand the stored event to `defer` (queue) → answer.
 */
export async function receive(state: InboxState, name: string, request: Request, defer: Defer): Promise<Response> {
  const arrived = Date.now()
  try {
    const provider = Object.hasOwn(state.providers, name) ? state.providers[name] : undefined
    // Names nothing configured: instance names are nobody else's business.
    if (provider === undefined) throw new WebhookError('unknown_provider', `no provider named "${name.slice(0, 100)}"`)
    if (request.method !== 'POST') {
      throw new WebhookError('method_not_allowed', `${name}: ${request.method} is not allowed, webhooks are POSTed`)
    }
    refuseParsedBody(request, name)
    const limits = { maxBytes: provider.maxBodyBytes, budget: state.bodyBudget, timeoutMs: state.bodyTimeoutMs }
    const hash = provider.hashBody?.(request)
    const { bytes: rawBody, release } = await readBody(request, name, limits, hash)
    let verified: Awaited<ReturnType<typeof provider.verify>>
    try {
      verified = await provider.verify(request, rawBody, hash)
    } catch (cause) {
      throw asVerifyError(cause, name)
    } finally {
      // Verified or not, the bytes no longer count against unauthenticated reads.
      release()
    }
    if (verified instanceof Response) return counted(state, name, verified)
    if (state.stopping) throw new WebhookError('shutting_down', `${name}: the inbox is shutting down; deliver again later`)
    // Tracked from the check above on, so shutdown() waits for this claim before it closes the store.
    const delivery = claimAndRun(state, name, provider, request, rawBody, verified, defer, arrived)
    track(state, delivery)
    return counted(state, name, await delivery)
  } catch (error) {
    const failure = asWebhookError(error, name)
    // Only configured names become labels: a stranger's URL must not grow the metrics.
    const label = Object.hasOwn(state.providers, name) ? name : ''
    state.metrics.delivery(label, failure.status >= 500 ? 'failed' : 'rejected', failure.code)
    await notifyError(state, failure)
    return errorAnswer(failure)
  }
}

/** Counts an answer by its status header; a provider's own reply (a URL check) has none. */
function counted(state: InboxState, name: string, response: Response): Response {
  const status: DeliveryOutcome | null = answerStatus(response)
  state.metrics.delivery(name, status ?? 'replied', status === 'failed' ? 'handler_failed' : '')
  return response
}

async function claimAndRun(
  state: InboxState,
  name: string,
  provider: Provider,
  request: Request,
  rawBody: Uint8Array,
  verified: VerifiedEvent,
  defer: Defer,
  arrived: number,
): Promise<Response> {
  const key = { provider: name, eventId: verified.id }
  const digest = verified.digest ?? (await sha256Hex(rawBody))
  if (state.settled(key, digest)) return answer('duplicate')
  const headers: Record<string, string> = {}
  for (const header of provider.storedHeaders) {
    const value = request.headers.get(header)
    if (value !== null) headers[header] = value
  }
  const event = {
    ...key,
    type: verified.type,
    body: decoder.decode(rawBody),
    headers,
    digest,
    ...entityOf(state, name, verified),
  }
  const queue = state.mode === 'queue'
  const claim = await state.store.claim(event, { now: state.now(), leaseMs: state.leaseMs, queue })
  if (claim.outcome === 'duplicate') return answer('duplicate')
  // A row taken over may be another id's (the same signed bytes): from here on the
  // delivery is a redelivery of that row, under its key.
  const stored = { provider: claim.event.provider, eventId: claim.event.eventId }
  if (claim.outcome === 'queued') {
    // The row is committed before this 202 is built: a crash from here on loses nothing,
    // and a process that is stopping leaves the run to the next one's sweeper.
    if (!state.stopping) defer(() => runQueued(state, stored).catch((error: unknown) => notifyError(state, asWebhookError(error))))
    return answer('queued', 202)
  }
  if (state.stopping) {
    await state.store.release(stored, claim.event.fence, state.now())
    throw shuttingDown(name)
  }
  // A row stored before runs its own body, parsed again: the delivery's bytes may differ from it.
  const run = runEvent(state, claim.event, claim.inserted ? verified.payload : undefined)
  if (state.mode === 'inline') return answerRun(provider, name, await run)
  const outcome = await beforeDeadline(run, ackBudgetMs(provider) - (Date.now() - arrived))
  if (outcome !== undefined) return answerRun(provider, name, outcome)
  // Late: the run goes on under its lease. Its failure is reported whether or not the
  // runtime takes the work: on Node it is already tracked for shutdown (and the
  // background cap must not drop the report); on Workers waitUntil keeps the isolate alive.
  const rest = run.catch((error: unknown) => notifyError(state, asWebhookError(error, name)))
  defer(() => rest)
  return acceptedAnswer(provider.handlerReplies === true)
}

/** A key the MySQL store can index (its entity_key column), as handler names are bounded. */
const MAX_ENTITY_KEY_BYTES = 255

/**
 * The entity and version createInbox's `ordering` gives the event, checked: a function that
 * returns something else is a bug to fix, answered 500 so the sender delivers again.
 */
function entityOf(state: InboxState, name: string, verified: VerifiedEvent): { entityKey: string; entityVersion: number } | undefined {
  const ordering = state.ordering[name]
  if (ordering === undefined) return undefined
  const found: unknown = ordering({ provider: name, id: verified.id, type: verified.type, payload: verified.payload })
  if (found === undefined) return undefined
  const { key, version } = (found ?? {}) as { key?: unknown; version?: unknown }
  if (typeof key !== 'string' || key === '' || utf8(key).length > MAX_ENTITY_KEY_BYTES || typeof version !== 'number' || !Number.isFinite(version)) {
    const got = found === null || typeof found !== 'object' ? typeof found : `{ key: ${typeof key}, version: ${typeof version} }`
    throw new WebhookError(
      'internal_error',
      `${name}: ordering for ${verified.type} ${verified.id} returned ${got}; it must return undefined or { key: a non-empty string of at most ${MAX_ENTITY_KEY_BYTES} bytes, version: a finite number }`,
    )
  }
  return { entityKey: key, entityVersion: version }
}

/** Sent to a provider that declares no delivery timeout: Slack's 3 s, the shortest we know. */
export const DEFAULT_ACK_DEADLINE_MS = 3_000

/** The provider's deadline less a margin for the network and the answer itself. */
function ackBudgetMs(provider: Provider): number {
  const deadline = provider.ackDeadlineMs ?? DEFAULT_ACK_DEADLINE_MS
  return deadline - Math.min(1_000, deadline / 5)
}

/** The run's outcome if it settles within `ms`, else undefined (the run keeps going). */
async function beforeDeadline(run: Promise<RunOutcome>, ms: number): Promise<RunOutcome | undefined> {
  let timer: ReturnType<typeof setTimeout> | undefined
  const late = new Promise<undefined>((resolve) => (timer = setTimeout(() => resolve(undefined), Math.max(0, ms))))
  try {
    return await Promise.race([run, late])
  } finally {
    clearTimeout(timer)
  }
}
