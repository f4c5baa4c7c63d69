import Stripe from 'stripe'
import { hmacHex, importHmacKey } from '../src/crypto.js'
import {
  checkTimestamp,
  MiB,
  parseJson,
  parseSeconds,
  requireBody,
  requireHeader,
  requireString,
  resolveOptions,
} from './common.js'
import type { Provider, ProviderOptions, TimestampOptions } from '../src/provider.js'
import { stripeOrdering } from './ordering.js'

/** Every Stripe event, keyed by its `type`, as the `stripe` package declares them. */
export type StripeEvents = { [E in Stripe.Event as E['type']]: E }

export interface StripeOptions extends ProviderOptions, TimestampOptions {}

type CryptoProvider = ReturnType<typeof Stripe.createSubtleCryptoProvider>

/**
 * Stripe's crypto provider with our HMAC (`src/crypto.ts`): node:crypto where the runtime
 * has it, else Web Crypto with each secret's key imported once instead of on every
 * delivery, as Stripe's SubtleCrypto provider does. Async only, so one code path serves
 * both: Stripe's sync `constructEvent` over node:crypto measured under 1 µs a call cheaper.
 * Stripe's verifier still parses the header and compares the signatures.
 */
function cryptoProviderFor(secrets: readonly string[]): CryptoProvider {
  const keys = new Map(secrets.map((secret) => [secret, importHmacKey(secret)]))
  const provider: CryptoProvider = Object.create(Stripe.createSubtleCryptoProvider())
  provider.computeHMACSignatureAsync = (payload: string, secret: string) => hmacHex(keys.get(secret) ?? importHmacKey(secret), payload)
  return provider
}

const HEADER = 'stripe-signature'

/**
 * Stripe webhooks, verified by the `stripe` package's own verifier.
 *
 * @example
 * stripe({ secret: process.env.STRIPE_WEBHOOK_SECRET! })
 */
export function stripe(options: StripeOptions): Provider<StripeEvents> {
  const { secrets, tolerance, now, fail } = resolveOptions('stripe', options)
  const cryptoProvider = cryptoProviderFor(secrets)

  function readHeader(header: string) {
    let timestamp: string | undefined
    let signatures = 0
    let malformed: string | undefined
    for (const item of header.split(',')) {
      const [key, value = ''] = item.split('=', 2)
      if (key === 't') timestamp = value
      else if (key === 'v1' && /^[0-9a-f]{64}$/.test(value)) signatures++
      else if (key === 'v1') malformed ??= value
    }
    if (timestamp === undefined) throw fail('malformed_header', `${HEADER} header has no t= timestamp`)
    // Stripe's parser reads t with parseInt, so "12abc" would pass as 12; reject it here.
    const seconds = parseSeconds(fail, HEADER, timestamp)
    if (signatures === 0 && malformed !== undefined) {
      // Its length only: the value itself is a signature, and never goes into an answer.
      throw fail('malformed_header', `${HEADER} header's v1= signature is malformed: ${malformed.length} characters, not 64 hex digits`)
    }
    if (signatures === 0) throw fail('malformed_header', `${HEADER} header has no v1= signature`)
    return seconds
  }

  function fromPayload(value: unknown) {
    if (typeof value !== 'object' || value === null || Array.isArray(value)) {
      throw fail('invalid_body', 'body is not a JSON object')
    }
    const payload = value as Record<string, unknown>
    const id = requireString(fail, payload.id, 'event id (body.id)', 'missing_event_id')
    const type = requireString(fail, payload.type, 'event type (body.type)')
    return { id, type, payload }
  }

  return {
    name: 'stripe',
    ordering: stripeOrdering,
    maxBodyBytes: options.maxBodyBytes ?? 5 * MiB,
    // Stripe publishes no timeout and retries a delivery it counts as timed out (the
    // Dashboard's "Timed out" status): 5 s is our conservative choice.
    ackDeadlineMs: options.ackDeadlineMs ?? 5_000,
    // The body alone parses again; the signature header is not kept.
    storedHeaders: [],
    parse: (body) => parseJson(fail, body),
    async verify(request, rawBody) {
      const header = requireHeader(fail, request.headers, HEADER)
      const seconds = readHeader(header)
      const body = requireBody(fail, rawBody)
      let event: unknown
      let verified = false
      for (const secret of secrets) {
        try {
          // receivedAt = the header's own time: Stripe checks the signature only,
          // and the two-sided tolerance below uses our clock.
          event = await Stripe.webhooks.constructEventAsync(body, header, secret, tolerance, cryptoProvider, seconds * 1000)
          verified = true
          break
        } catch (error) {
          if (error instanceof Stripe.errors.StripeSignatureVerificationError) continue
          // The signature matched; only parsing the verified body failed.
          throw fail('invalid_body', 'body is not a Stripe event (not JSON, or a thin event)', error)
        }
      }
      if (!verified) {
        throw fail(
          'signature_mismatch',
          'no v1 signature matches the body under any configured secret (is the raw request body passed unchanged, and the endpoint secret whsec_… the right one?)',
        )
      }
      checkTimestamp(fail, seconds, now(), tolerance)
      return fromPayload(event)
    },
    async sign({ body, timestamp }) {
      const header = await Stripe.webhooks.generateTestHeaderStringAsync({
        payload: body,
        secret: secrets[0]!,
        timestamp: timestamp ?? Math.floor(now() / 1000),
        cryptoProvider,
      })
      return { 'content-type': 'application/json; charset=utf-8', [HEADER]: header }
    },
  }
}
