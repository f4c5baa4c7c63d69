import { bodyHmac } from '../src/body-hmac.js'
import { hexToBytes, type HmacKey, verifyWithAnyKey } from '../src/crypto.js'
import { providerError, type WebhookError, type WebhookErrorCode } from '../src/errors.js'
import type { BodyHash } from '../src/provider.js'

export type Fail = (code: WebhookErrorCode, message: string, cause?: unknown) => WebhookError

// fatal: a body that is not UTF-8 is refused rather than verified as a lossy string;
// ignoreBOM: a leading BOM is part of the signed bytes and must stay in the text.
const decoder = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true })

/** The settings every provider factory resolves the same way. */
export function resolveOptions(name: string, options: { secret: string | string[]; now?: () => number; tolerance?: number }) {
  const secrets: unknown[] = Array.isArray(options.secret) ? options.secret : [options.secret]
  if (secrets.length === 0) throw new TypeError(`[webhook-inbox] ${name}: secret is an empty list`)
  // Name the entry: an unset variable in a rotation list is the usual cause, and which one matters.
  const bad = secrets.findIndex((s) => typeof s !== 'string' || s === '')
  if (bad !== -1) {
    const entry = Array.isArray(options.secret) ? `secret[${bad}]` : 'secret'
    const value = secrets[bad] === '' ? 'an empty string' : String(secrets[bad])
    throw new TypeError(`[webhook-inbox] ${name}: every signing secret must be a non-empty string; ${entry} is ${value}`)
  }
  const tolerance = options.tolerance ?? 300
  // NaN would make every comparison false and silently switch replay protection off.
  if (!Number.isFinite(tolerance) || tolerance < 0) {
    throw new TypeError(`[webhook-inbox] ${name}: tolerance must be a non-negative number of seconds`)
  }
  return { secrets: secrets as string[], tolerance, now: options.now ?? Date.now, fail: providerError(name) }
}

export function requireHeader(fail: Fail, headers: Headers, name: string, code: WebhookErrorCode = 'missing_header') {
  const value = headers.get(name)
  if (value === null || value === '') throw fail(code, `${name} header is missing`)
  return value
}

/** Signature schemes here all carry a 32-byte HMAC-SHA256 as 64 hex characters. */
export function requireHexSignature(fail: Fail, header: string, value: string, prefix = ''): string {
  if (!value.startsWith(prefix) || !/^[0-9a-fA-F]{64}$/.test(value.slice(prefix.length))) {
    throw fail('malformed_header', `${header} header is not ${prefix}<64 hex characters>`)
  }
  return value.slice(prefix.length)
}

/** Checked before the signature, so an empty body is refused as empty whatever it is signed with. */
export function requireNonEmpty(fail: Fail, length: number) {
  if (length === 0) throw fail('invalid_body', 'body is empty')
}

export function requireBody(fail: Fail, body: Uint8Array): string {
  requireNonEmpty(fail, body.length)
  try {
    return decoder.decode(body)
  } catch (cause) {
    throw fail('invalid_body', 'body is not valid UTF-8', cause)
  }
}

export function parseJson(fail: Fail, text: string): Record<string, unknown> {
  let value: unknown
  try {
    value = JSON.parse(text)
  } catch (cause) {
    throw fail('invalid_body', 'body is not valid JSON', cause)
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw fail('invalid_body', 'body is not a JSON object')
  }
  return value as Record<string, unknown>
}

/** `issues` + action `opened` → `issues.opened`: handlers for the name alone see every action. */
export function withAction(name: string, action: unknown): string {
  return typeof action === 'string' && action !== '' ? `${name}.${action}` : name
}

export function requireString(fail: Fail, value: unknown, what: string, code: WebhookErrorCode = 'invalid_body') {
  if (typeof value !== 'string' || value === '') throw fail(code, `${what} is missing`)
  return value
}

/** Parses a decimal Unix timestamp in seconds, the only form the schemes use. */
export function parseSeconds(fail: Fail, header: string, value: string): number {
  if (!/^\d{1,12}$/.test(value)) throw fail('malformed_header', `${header} timestamp is not a number of seconds`)
  return Number(value)
}

/** Both sides are checked: a timestamp exactly `tolerance` away is still accepted. */
export function checkTimestamp(fail: Fail, seconds: number, nowMs: number, tolerance: number) {
  const age = Math.floor(nowMs / 1000) - seconds
  if (age > tolerance) {
    throw fail('timestamp_too_old', `signature timestamp is ${age} s old (tolerance ${tolerance} s)`)
  }
  if (-age > tolerance) {
    throw fail('timestamp_in_future', `signature timestamp is ${-age} s in the future (tolerance ${tolerance} s)`)
  }
}

export const MiB = 1024 * 1024

/** The MAC a hex signature header (`<prefix><64 hex>`) carries, once the header and the body's length check out. */
export function hexBodySignature(fail: Fail, headers: Headers, header: string, length: number, prefix = '') {
  const signature = hexToBytes(requireHexSignature(fail, header, requireHeader(fail, headers, header), prefix))!
  requireNonEmpty(fail, length)
  return signature
}

export const bodyMismatch = (fail: Fail, header: string) => fail('signature_mismatch', `${header} does not match the body under any configured secret`)

/**
 * The check of a hex HMAC-SHA256 of the body alone (Razorpay, Linear, GitHub after its
 * `sha256=` prefix), made as the body arrives where the runtime can (see `Provider.hashBody`).
 */
export function hashHexBody(fail: Fail, secrets: readonly string[], headers: Headers, header: string, prefix = '') {
  return bodyHmac(secrets, (length) => hexBodySignature(fail, headers, header, length, prefix), () => bodyMismatch(fail, header))
}

/**
 * The scheme Razorpay and Linear share: a hex HMAC-SHA256 of the raw body in one header,
 * under any of `keys` (or checked by `hash`, fed as the body arrived). Returns the body as
 * text once it is verified.
 */
export async function verifyHexBodyHmac(fail: Fail, keys: readonly HmacKey[], headers: Headers, header: string, rawBody: Uint8Array, hash?: BodyHash) {
  if (hash !== undefined) {
    hash.check()
    return requireBody(fail, rawBody)
  }
  const signature = hexBodySignature(fail, headers, header, rawBody.length)
  const body = requireBody(fail, rawBody)
  if (!(await verifyWithAnyKey(keys, signature, rawBody))) throw bodyMismatch(fail, header)
  return body
}
