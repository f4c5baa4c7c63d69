import { hmacHex, importHmacKey } from '../src/crypto.js'
import { hashHexBody, MiB, parseJson, requireHeader, requireString, resolveOptions, verifyHexBodyHmac } from './common.js'
import type { Provider, ProviderOptions } from '../src/provider.js'

/** The envelope every Razorpay webhook shares; `payload` holds the entities. */
export interface RazorpayWebhook {
  entity: 'event'
  account_id: string
  event: string
  contains: string[]
  payload: Record<string, { entity: Record<string, unknown> } | undefined>
  created_at: number
}

/** Razorpay's event names are open-ended (`payment.captured`, `order.paid`, …). */
export type RazorpayEvents = Record<string, RazorpayWebhook>

export interface RazorpayOptions extends ProviderOptions {}

const SIGNATURE = 'x-razorpay-signature'
const EVENT_ID = 'x-razorpay-event-id'

/**
 * Razorpay webhooks: HMAC-SHA256 of the body under the webhook secret, the id
 * from `x-razorpay-event-id` (kept across Razorpay's retries). The scheme signs
 * neither a timestamp nor the id, so the same body is one event whatever id it
 * comes with: the inbox dedupes on its digest too.
 *
 * @example
 * razorpay({ secret: process.env.RAZORPAY_WEBHOOK_SECRET! })
 */
export function razorpay(options: RazorpayOptions): Provider<RazorpayEvents> {
  const { secrets, fail } = resolveOptions('razorpay', options)
  const keys = secrets.map((secret) => importHmacKey(secret))

  /** The event id is a header the signature does not cover; the inbox also dedupes on the body's digest. */
  function read(body: string, headers: Headers) {
    const id = requireHeader(fail, headers, EVENT_ID, 'missing_event_id')
    const payload = parseJson(fail, body)
    const type = requireString(fail, payload.event, 'event name (body.event)')
    return { id, type, payload }
  }

  return {
    name: 'razorpay',
    maxBodyBytes: options.maxBodyBytes ?? 5 * MiB,
    // Razorpay publishes no timeout and retries every non-2xx answer for 24 hours: 5 s is
    // our conservative choice.
    ackDeadlineMs: options.ackDeadlineMs ?? 5_000,
    storedHeaders: [],
    parse: (body) => parseJson(fail, body),
    // The signature is an HMAC of the body alone, so it can be checked as the body arrives.
    hashBody: (request) => hashHexBody(fail, secrets, request.headers, SIGNATURE),
    async verify(request, rawBody, hash) {
      const body = await verifyHexBodyHmac(fail, keys, request.headers, SIGNATURE, rawBody, hash)
      return read(body, request.headers)
    },
    async sign({ body, id }) {
      return {
        'content-type': 'application/json',
        [SIGNATURE]: await hmacHex(keys[0]!, body),
        [EVENT_ID]: id ?? `evt_${crypto.randomUUID().replaceAll('-', '').slice(0, 14)}`,
      }
    },
  }
}
