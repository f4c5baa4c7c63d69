import { concatBytes, utf8 } from '../src/bytes.js'
import { hexToBytes, hmacHex, importHmacKey, verifyWithAnyKey } from '../src/crypto.js'
import { checkTimestamp, MiB, parseJson, parseSeconds, requireBody, requireHeader, requireString, resolveOptions } from './common.js'
import type { Provider, ProviderOptions, TimestampOptions } from '../src/provider.js'
import { paddleOrdering } from './ordering.js'

/**
 * A Paddle Billing notification. Hand-typed envelope: `@paddle/paddle-node-sdk` declares its
 * events as classes in camelCase, not the JSON Paddle sends.
 */
export interface PaddleWebhook {
  event_id: string
  event_type: string
  occurred_at: string
  notification_id: string
  data: Record<string, unknown>
  [field: string]: unknown
}

/** Event types are open strings (`transaction.completed`, `subscription.canceled`, …). */
export type PaddleEvents = Record<string, PaddleWebhook>

export interface PaddleOptions extends ProviderOptions, TimestampOptions {}

const HEADER = 'paddle-signature'

/**
 * Paddle Billing webhooks: `Paddle-Signature: ts=…;h1=…`, hex HMAC-SHA256 of `{ts}:{body}`
 * under the notification destination's secret key. Several `h1` during Paddle's own rotation.
 * The default tolerance is Paddle's: 5 s, which its SDK enforces and its docs ask manual
 * checks to apply (developer.paddle.com, Webhooks → Verify webhook signatures).
 *
 * @example
 * paddle({ secret: process.env.PADDLE_WEBHOOK_SECRET! })
 */
export function paddle(options: PaddleOptions): Provider<PaddleEvents> {
  const { secrets, tolerance, now, fail } = resolveOptions('paddle', { ...options, tolerance: options.tolerance ?? 5 })
  const keys = secrets.map((secret) => importHmacKey(secret))

  function readHeader(value: string) {
    let timestamp: string | undefined
    const signatures: Uint8Array[] = []
    for (const part of value.split(';')) {
      const [key, item = ''] = part.split('=', 2)
      if (key === 'ts') timestamp = item
      else if (key === 'h1' && /^[0-9a-f]{64}$/.test(item)) signatures.push(hexToBytes(item)!)
    }
    if (timestamp === undefined) throw fail('malformed_header', `${HEADER} header has no ts= timestamp`)
    const seconds = parseSeconds(fail, HEADER, timestamp)
    if (signatures.length === 0) throw fail('malformed_header', `${HEADER} header has no h1= signature`)
    return { timestamp, seconds, signatures }
  }

  return {
    name: 'paddle',
    ordering: paddleOrdering,
    maxBodyBytes: options.maxBodyBytes ?? 5 * MiB,
    // "Your server must respond with HTTP 200 within five seconds" (developer.paddle.com,
    // Webhooks → Handle webhook delivery).
    ackDeadlineMs: options.ackDeadlineMs ?? 5_000,
    storedHeaders: [],
    parse: (body) => parseJson(fail, body),
    async verify(request, rawBody) {
      const { timestamp, seconds, signatures } = readHeader(requireHeader(fail, request.headers, HEADER))
      const body = requireBody(fail, rawBody)
      if (!(await verifyWithAnyKey(keys, signatures, concatBytes(utf8(`${timestamp}:`), rawBody)))) {
        throw fail('signature_mismatch', `no h1 signature matches ts:body under any configured secret (is it this destination's secret key?)`)
      }
      checkTimestamp(fail, seconds, now(), tolerance)
      const payload = parseJson(fail, body)
      const id = requireString(fail, payload.event_id, 'event id (body.event_id)', 'missing_event_id')
      const type = requireString(fail, payload.event_type, 'event type (body.event_type)')
      return { id, type, payload }
    },
    async sign({ body, timestamp }) {
      const seconds = String(timestamp ?? Math.floor(now() / 1000))
      return { 'content-type': 'application/json', [HEADER]: `ts=${seconds};h1=${await hmacHex(keys[0]!, `${seconds}:${body}`)}` }
    },
  }
}
