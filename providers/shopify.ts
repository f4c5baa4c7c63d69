import { concatBytes, toBase64, utf8 } from '../src/bytes.js'
import { base64ToBytes, importHmacKey, verifyWithAnyKey } from '../src/crypto.js'
import { sha256Hex } from '../src/digest.js'
import { MiB, parseJson, requireBody, requireHeader, resolveOptions } from './common.js'
import type { Provider, ProviderOptions } from '../src/provider.js'
import { shopifyOrdering } from './ordering.js'

/**
 * A Shopify webhook body: the resource the topic names (an order, a product, …).
 * Hand-typed: `@shopify/shopify-api` declares no payload types per topic.
 */
export type ShopifyWebhook = Record<string, unknown>

/** Topics are open strings in Shopify's own form (`orders/create`, `app/uninstalled`). */
export type ShopifyEvents = Record<string, ShopifyWebhook>

export interface ShopifyOptions extends ProviderOptions {
  /** The shop domain `sign()` sends (tests, the CLI); deliveries carry their own. */
  shopDomain?: string
}

const HMAC = 'x-shopify-hmac-sha256'
const TOPIC = 'x-shopify-topic'
const WEBHOOK_ID = 'x-shopify-webhook-id'
const EVENT_ID = 'x-shopify-event-id'
const SHOP = 'x-shopify-shop-domain'
const API_VERSION = 'x-shopify-api-version'

/**
 * Shopify webhooks: base64 HMAC-SHA256 of the raw body under the app's client secret, in
 * `X-Shopify-Hmac-Sha256`; the id is `X-Shopify-Webhook-Id` (kept on Shopify's retries) and
 * the type the `X-Shopify-Topic`. Checked by our own HMAC (`src/crypto.ts`): `@shopify/shopify-api`
 * needs a runtime adapter and its whole config for the same HMAC (our tests round-trip through it).
 *
 * @example
 * shopify({ secret: process.env.SHOPIFY_API_SECRET! })
 */
export function shopify(options: ShopifyOptions): Provider<ShopifyEvents> {
  const { secrets, now, fail } = resolveOptions('shopify', options)
  const keys = secrets.map((secret) => importHmacKey(secret))

  return {
    name: 'shopify',
    ordering: shopifyOrdering,
    maxBodyBytes: options.maxBodyBytes ?? 5 * MiB,
    // Shopify allows 1 s to connect and 5 s in all before it counts a delivery as failed, then
    // retries 8 times over 4 hours (shopify.dev, Apps → Webhooks → HTTPS delivery).
    ackDeadlineMs: options.ackDeadlineMs ?? 5_000,
    // The event id groups the deliveries of one event to several subscriptions; kept for handlers
    // that dedupe across them, and the shop for multi-shop apps.
    storedHeaders: [EVENT_ID, SHOP, API_VERSION],
    parse: (body) => parseJson(fail, body),
    async verify(request, rawBody) {
      const header = requireHeader(fail, request.headers, HMAC)
      const signature = base64ToBytes(header, 32)
      if (signature === undefined) throw fail('malformed_header', `${HMAC} header is not a base64 HMAC-SHA256 (44 characters)`)
      const body = requireBody(fail, rawBody)
      if (!(await verifyWithAnyKey(keys, signature, rawBody))) {
        throw fail('signature_mismatch', `${HMAC} does not match the body under any configured secret (is it the app's client secret, and the raw body?)`)
      }
      const topic = requireHeader(fail, request.headers, TOPIC)
      const id = requireHeader(fail, request.headers, WEBHOOK_ID, 'missing_event_id')
      const payload = parseJson(fail, body)
      // Neither header is signed, and orders/create and orders/updated can carry byte-identical
      // bodies: the digest names the topic too, so those stay two events.
      return { id, type: topic, payload, digest: await sha256Hex(concatBytes(utf8(`${topic}\n`), rawBody)) }
    },
    async sign({ body, id, type }) {
      // Everything `@shopify/shopify-api`'s webhooks.validate() requires besides the HMAC.
      return {
        'content-type': 'application/json',
        [HMAC]: toBase64(await keys[0]!.sign(body)),
        [TOPIC]: type ?? 'orders/create',
        [WEBHOOK_ID]: id ?? crypto.randomUUID(),
        [EVENT_ID]: crypto.randomUUID(),
        [SHOP]: options.shopDomain ?? 'webhook-inbox-dev.myshopify.com',
        [API_VERSION]: '2025-07',
        'x-shopify-triggered-at': new Date(now()).toISOString(),
      }
    },
  }
}
