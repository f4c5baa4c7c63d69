import { hmacHex, importHmacKey } from '../src/crypto.js'
import { checkTimestamp, hashHexBody, MiB, parseJson, requireHeader, requireString, resolveOptions, verifyHexBodyHmac, withAction } from './common.js'
import type { Provider, ProviderOptions, TimestampOptions } from '../src/provider.js'
import { linearOrdering } from './ordering.js'

/**
 * A Linear data-change webhook. Hand-typed envelope: `@linear/sdk` types these per entity,
 * but is a GraphQL client far too large to depend on for one envelope.
 */
export interface LinearWebhook {
  action: string
  type: string
  data: Record<string, unknown>
  url?: string
  createdAt: string
  organizationId?: string
  /** When Linear sent it, in ms; signed, and checked against the tolerance. */
  webhookTimestamp: number
  webhookId?: string
  [field: string]: unknown
}

/** `Issue.create`, `Comment.update`, …: the body's `type` and `action`. */
export type LinearEvents = Record<string, LinearWebhook>

export interface LinearOptions extends ProviderOptions, TimestampOptions {}

const SIGNATURE = 'linear-signature'
const DELIVERY = 'linear-delivery'

/**
 * Linear webhooks: hex HMAC-SHA256 of the raw body in `Linear-Signature`. The time Linear signs
 * is the body's `webhookTimestamp` (ms); the default tolerance is the 60 s Linear's SDK allows
 * (`LinearWebhookClient.verify`). The id is the `Linear-Delivery` header, which the signature
 * does not cover: the inbox also dedupes on the body's digest, which holds that timestamp.
 *
 * @example
 * linear({ secret: process.env.LINEAR_WEBHOOK_SECRET! })
 */
export function linear(options: LinearOptions): Provider<LinearEvents> {
  const { secrets, tolerance, now, fail } = resolveOptions('linear', { ...options, tolerance: options.tolerance ?? 60 })
  const keys = secrets.map((secret) => importHmacKey(secret))

  function read(body: string) {
    const payload = parseJson(fail, body)
    const entity = requireString(fail, payload.type, 'entity type (body.type)')
    // The signed body's type, not the unsigned Linear-Event header.
    return { type: withAction(entity, payload.action), payload }
  }

  return {
    name: 'linear',
    ordering: linearOrdering,
    maxBodyBytes: options.maxBodyBytes ?? 5 * MiB,
    // Linear documents retries with backoff but, as far as we found, no exact timeout (guides
    // quote 5 s): 5 s is our conservative choice.
    ackDeadlineMs: options.ackDeadlineMs ?? 5_000,
    storedHeaders: [],
    parse: (body) => read(body).payload,
    // The signature is an HMAC of the body alone, so it can be checked as the body arrives.
    hashBody: (request) => hashHexBody(fail, secrets, request.headers, SIGNATURE),
    async verify(request, rawBody, hash) {
      const body = await verifyHexBodyHmac(fail, keys, request.headers, SIGNATURE, rawBody, hash)
      const { type, payload } = read(body)
      const sent = payload.webhookTimestamp
      if (typeof sent !== 'number' || !Number.isSafeInteger(sent)) throw fail('invalid_body', 'webhookTimestamp (ms) is missing from the body')
      checkTimestamp(fail, Math.floor(sent / 1000), now(), tolerance)
      const id = requireHeader(fail, request.headers, DELIVERY, 'missing_event_id')
      return { id, type, payload }
    },
    /** The time Linear signs is inside the body, so `timestamp` is not used: set `webhookTimestamp`. */
    async sign({ body, id, type }) {
      return {
        'content-type': 'application/json; charset=utf-8',
        [SIGNATURE]: await hmacHex(keys[0]!, body),
        [DELIVERY]: id ?? crypto.randomUUID(),
        'linear-event': (type ?? 'Issue').split('.')[0]!,
        'user-agent': 'Linear-Webhook',
      }
    },
  }
}
