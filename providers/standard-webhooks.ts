import { concatBytes, fromBase64, toBase64, utf8 } from '../src/bytes.js'
import { base64ToBytes, importHmacKey, verifyWithAnyKey } from '../src/crypto.js'
import { sha256Hex } from '../src/digest.js'
import { checkTimestamp, MiB, parseJson, parseSeconds, requireBody, requireHeader, requireString, resolveOptions } from './common.js'
import type { Provider, ProviderOptions, TimestampOptions } from '../src/provider.js'

/**
 * The envelope the Standard Webhooks spec recommends (`type`, `timestamp`, `data`).
 * Hand-typed: neither the spec nor its `standardwebhooks` package declares payloads,
 * and senders (Clerk, Resend, …) publish their own `data` shapes.
 */
export interface StandardWebhooksEvent {
  type: string
  timestamp?: string
  data?: Record<string, unknown>
  [field: string]: unknown
}

/** Event types are the sender's own open strings (`user.created`, `email.delivered`, …). */
export type StandardWebhooksEvents = Record<string, StandardWebhooksEvent>

export interface StandardWebhooksOptions extends ProviderOptions, TimestampOptions {}

/** Svix and the senders built on it use `svix-*`; the spec names them `webhook-*`. Both are read. */
type HeaderPrefix = 'webhook' | 'svix'

const names = (prefix: HeaderPrefix) => ({ id: `${prefix}-id`, timestamp: `${prefix}-timestamp`, signature: `${prefix}-signature` })

/**
 * The key bytes of a `whsec_<base64>` secret (the prefix optional, as the official libraries
 * take it); undefined for anything else, whitespace included, which `atob` alone would skip.
 */
function secretKey(secret: string): Uint8Array | undefined {
  const text = secret.startsWith('whsec_') ? secret.slice('whsec_'.length) : secret
  if (!/^[A-Za-z0-9+/]+={0,2}$/.test(text)) return undefined
  try {
    return fromBase64(text)
  } catch {
    // atob refuses a length no base64 has, or padding in the wrong place.
    return undefined
  }
}

function createStandardWebhooks(name: string, sendPrefix: HeaderPrefix, options: StandardWebhooksOptions): Provider<StandardWebhooksEvents> {
  const { secrets, tolerance, now, fail } = resolveOptions(name, options)
  // Our own HMAC, not the `standardwebhooks` package: its verify() reads Date.now() itself and
  // so cannot honour `now`/`tolerance`, and its signer is a JS SHA-256, ~20 µs a 2 KB delivery
  // on Node against ~3 µs through node:crypto. The tests round-trip through it.
  const keys = secrets.map((secret) => {
    const key = secretKey(secret)
    if (key === undefined) throw new TypeError(`[webhook-inbox] ${name}: every signing secret must be whsec_<base64>, as the sender shows it`)
    return importHmacKey(key)
  })

  function readSignatures(header: string, value: string): Uint8Array[] {
    // "v1,<base64> v1,<base64>": space-separated, one per secret the sender signs with; other
    // versions (v1a, asymmetric) are skipped as the spec says.
    const signatures: Uint8Array[] = []
    for (const entry of value.split(' ')) {
      const [version, signature = ''] = entry.split(',', 2)
      const bytes = version === 'v1' ? base64ToBytes(signature, 32) : undefined
      if (bytes !== undefined) signatures.push(bytes)
    }
    if (signatures.length === 0) throw fail('malformed_header', `${header} header has no v1,<base64> signature`)
    return signatures
  }

  return {
    name,
    // No sender publishes a cap we could rely on; 5 MiB, as for Stripe.
    maxBodyBytes: options.maxBodyBytes ?? 5 * MiB,
    // The spec sets no timeout; Svix, which delivers for Clerk and Resend, counts a 2xx within
    // 15 s as delivered (docs.svix.com/retries, "Indicating successful delivery").
    ackDeadlineMs: options.ackDeadlineMs ?? 15_000,
    storedHeaders: [],
    parse: (body) => parseJson(fail, body),
    async verify(request, rawBody) {
      const prefix: HeaderPrefix = request.headers.has('webhook-signature') || !request.headers.has('svix-signature') ? 'webhook' : 'svix'
      const header = names(prefix)
      const signatures = readSignatures(header.signature, requireHeader(fail, request.headers, header.signature))
      const timestamp = requireHeader(fail, request.headers, header.timestamp)
      const seconds = parseSeconds(fail, header.timestamp, timestamp)
      // The id is signed, so without it there is nothing to check the signature against.
      const id = requireHeader(fail, request.headers, header.id, 'missing_event_id')
      const body = requireBody(fail, rawBody)
      // The timestamp as a number, as the official libraries sign it.
      const signed = concatBytes(utf8(`${id}.${seconds}.`), rawBody)
      if (!(await verifyWithAnyKey(keys, signatures, signed))) {
        throw fail('signature_mismatch', `${header.signature} does not match id.timestamp.body under any configured secret`)
      }
      checkTimestamp(fail, seconds, now(), tolerance)
      const payload = parseJson(fail, body)
      const type = requireString(fail, payload.type, 'event type (body.type)')
      // The id and timestamp are signed too: two messages with one body are two events.
      return { id, type, payload, digest: await sha256Hex(signed) }
    },
    async sign({ body, id, timestamp }) {
      const header = names(sendPrefix)
      const messageId = id ?? `msg_${crypto.randomUUID().replaceAll('-', '')}`
      const seconds = timestamp ?? Math.floor(now() / 1000)
      return {
        'content-type': 'application/json',
        [header.id]: messageId,
        [header.timestamp]: String(seconds),
        [header.signature]: `v1,${toBase64(await keys[0]!.sign(`${messageId}.${seconds}.${body}`))}`,
      }
    },
  }
}

/**
 * Standard Webhooks (standardwebhooks.com): HMAC-SHA256 of `{id}.{timestamp}.{body}` under a
 * `whsec_` base64 secret, in `webhook-signature`. The `svix-*` header names are read too.
 *
 * @example
 * standardWebhooks({ secret: process.env.STANDARD_WEBHOOKS_SECRET! })
 */
export function standardWebhooks(options: StandardWebhooksOptions): Provider<StandardWebhooksEvents> {
  return createStandardWebhooks('standard-webhooks', 'webhook', options)
}

/** Svix-delivered webhooks (`svix-id`, `svix-timestamp`, `svix-signature`); the secret is the endpoint's `whsec_…`. */
export function svix(options: StandardWebhooksOptions): Provider<StandardWebhooksEvents> {
  return createStandardWebhooks('svix', 'svix', options)
}

/** Clerk webhooks, which Svix delivers: the endpoint's *Signing Secret* (`whsec_…`). */
export function clerk(options: StandardWebhooksOptions): Provider<StandardWebhooksEvents> {
  return createStandardWebhooks('clerk', 'svix', options)
}

/** Resend webhooks, which Svix delivers: the webhook's *Signing Secret* (`whsec_…`). */
export function resend(options: StandardWebhooksOptions): Provider<StandardWebhooksEvents> {
  return createStandardWebhooks('resend', 'svix', options)
}
