const MAX_LENGTH = 255

// An RFC 8941 sf-string: printable ASCII in double quotes, `"` and `\` escaped by `\`.
const QUOTED = /^"((?:[\x20\x21\x23-\x5b\x5d-\x7e]|\\["\\])*)"$/
const PRINTABLE = /^[\x20-\x7e]+$/

/**
 * The key from an Idempotency-Key header: raw, as Stripe's clients send it, or an
 * RFC 8941 quoted string, as the IETF draft writes it (quotes and escapes removed).
 * Undefined when malformed: empty, over 255 characters, or not printable ASCII.
 */
export function parseKey(header: string): string | undefined {
  let key = header
  if (header.startsWith('"')) {
    const quoted = QUOTED.exec(header)
    if (!quoted) return undefined
    key = quoted[1]!.replace(/\\(["\\])/g, '$1')
  }
  return key.length <= MAX_LENGTH && PRINTABLE.test(key) ? key : undefined
}
