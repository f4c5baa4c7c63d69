import { BUILT_IN_PROVIDERS } from '../../providers/registry.js'
import type { SignInput } from '../provider.js'
import { fixtureTypes, type ProviderName, requireProviderName } from './fixture.js'

export interface SignedRequestOptions {
  /** The signing secret the inbox under test is configured with. */
  secret: string
  /** Defaults to `http://localhost/webhooks/<provider>`. */
  url?: string
  /** Event id: replaces the body's id (Stripe `id`, Slack `event_id` / `trigger_id`, Paddle `event_id`) or sets the id header (the others; random by default). */
  id?: string
  /** The type where it travels in a header: GitHub's `X-GitHub-Event` (`issues`, or `issues.opened`), Shopify's topic; taken from the fixture's name when omitted. */
  type?: string
  /** Signature time in seconds (Stripe, Slack, Standard Webhooks, Paddle; Linear's body `webhookTimestamp`); defaults to now. */
  timestamp?: number
}

function signInput(provider: ProviderName, payload: unknown, options: SignedRequestOptions): SignInput {
  const { encode = (object: Record<string, unknown>) => JSON.stringify(object), typeHeader } = BUILT_IN_PROVIDERS[provider]
  let body: string
  let type = options.type
  if (typeof payload === 'string') {
    body = payload
  } else {
    const object = payload as Record<string, unknown>
    body = encode(object, { id: options.id, timestamp: options.timestamp ?? Math.floor(Date.now() / 1000) })
    type ??= fixtureTypes.get(object)
    if (typeHeader !== undefined && type === undefined) {
      throw new TypeError(`[webhook-inbox] signedRequest("${provider}", …) needs options.type, the ${typeHeader} value`)
    }
  }
  return {
    body,
    ...(options.id === undefined ? {} : { id: options.id }),
    ...(type === undefined ? {} : { type }),
    ...(options.timestamp === undefined ? {} : { timestamp: options.timestamp }),
  }
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
  requireProviderName(provider, 'signedRequest()')
  const input = signInput(provider, payload, options)
  const headers = await BUILT_IN_PROVIDERS[provider].factory({ secret: options.secret }).sign(input)
  return new Request(options.url ?? `http://localhost/webhooks/${provider}`, { method: 'POST', headers, body: input.body })
}
