import { github } from '../../providers/github.js'
import { razorpay } from '../../providers/razorpay.js'
import { slack } from '../../providers/slack.js'
import { stripe } from '../../providers/stripe.js'
import type { SignInput } from '../../providers/types.js'
import { fixtureTypes, type ProviderName } from './fixture.js'

const FACTORIES = { stripe, github, slack, razorpay }

export interface SignedRequestOptions {
  /** The signing secret the inbox under test is configured with. */
  secret: string
  /** Defaults to `http://localhost/webhooks/<provider>`. */
  url?: string
  /** Event id: replaces the body's id (Stripe `id`, Slack `event_id` / `trigger_id`) or sets the header (GitHub, Razorpay; random by default). */
  id?: string
  /** GitHub's `X-GitHub-Event` (`issues`, or `issues.opened`); taken from the fixture's name when omitted. */
  type?: string
  /** Signature time in seconds (Stripe, Slack); defaults to now. */
  timestamp?: number
}

const INTERACTIONS = new Set(['block_actions', 'block_suggestion', 'view_submission', 'view_closed', 'shortcut', 'message_action', 'interactive_message', 'dialog_submission'])

function slackBody(payload: Record<string, unknown>, id: string | undefined): string {
  if (typeof payload.command === 'string') {
    const fields = id === undefined ? payload : { ...payload, trigger_id: id }
    return new URLSearchParams(Object.entries(fields).map(([k, v]): [string, string] => [k, String(v)])).toString()
  }
  if (typeof payload.type === 'string' && INTERACTIONS.has(payload.type)) {
    return new URLSearchParams({ payload: JSON.stringify(id === undefined ? payload : { ...payload, trigger_id: id }) }).toString()
  }
  return JSON.stringify(id === undefined ? payload : { ...payload, event_id: id })
}

function signInput(provider: ProviderName, payload: unknown, options: SignedRequestOptions): SignInput {
  const timestamp = options.timestamp === undefined ? {} : { timestamp: options.timestamp }
  if (typeof payload === 'string') return { body: payload, ...timestamp, ...pick(options) }
  const object = payload as Record<string, unknown>
  switch (provider) {
    case 'stripe':
      return { body: JSON.stringify(options.id === undefined ? object : { ...object, id: options.id }), ...timestamp }
    case 'slack':
      return { body: slackBody(object, options.id), ...timestamp }
    case 'github': {
      const type = options.type ?? fixtureTypes.get(object)
      if (type === undefined) {
        throw new TypeError('[webhook-inbox] signedRequest("github", …) needs options.type, the X-GitHub-Event name (e.g. "issues")')
      }
      return { body: JSON.stringify(object), type, ...(options.id === undefined ? {} : { id: options.id }) }
    }
    case 'razorpay':
      return { body: JSON.stringify(object), ...(options.id === undefined ? {} : { id: options.id }) }
  }
}

function pick(options: SignedRequestOptions): Pick<SignInput, 'id' | 'type'> {
  return { ...(options.id === undefined ? {} : { id: options.id }), ...(options.type === undefined ? {} : { type: options.type }) }
}

/**
 * A `Request` signed exactly as the provider signs deliveries, by the provider
 * adapter's own `sign()`, so `await inbox.fetch(req)` tests handlers with no network.
 * A string payload is sent as is; an object is encoded as the provider does (JSON, or
 * Slack's form bodies for slash commands and interactions).
 *
 * @example
 * const res = await inbox.fetch(await signedRequest('github', fixture('github', 'push'), { secret }))
 */
export async function signedRequest(provider: ProviderName, payload: unknown, options: SignedRequestOptions): Promise<Request> {
  const input = signInput(provider, payload, options)
  const headers = await FACTORIES[provider]({ secret: options.secret }).sign(input)
  return new Request(options.url ?? `http://localhost/webhooks/${provider}`, { method: 'POST', headers, body: input.body })
}
