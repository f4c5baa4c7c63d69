/**
 * Header names whose values prove a delivery and must never be shown: every provider's
 * signature header (stripe-signature, x-hub-signature-256, x-slack-signature,
 * x-razorpay-signature, webhook-signature, x-shopify-hmac-sha256, paddle-signature,
 * linear-signature, x-gitlab-token, …) and credentials in general.
 */
const SECRET_HEADER = /signature|token|hmac|secret|authorization|api-?key|cookie/i

export const REDACTED = '[redacted]'

export function redactHeaders(headers: Record<string, string>): [string, string][] {
  return Object.entries(headers).map(([name, value]) => [name, SECRET_HEADER.test(name) ? REDACTED : value])
}

/** JSON pretty-printed; other bodies (Slack's form posts) as stored. Bounded, so a huge body cannot stall the page. */
export function prettyBody(body: string, maxChars = 256 * 1024): string {
  let text = body
  try {
    text = JSON.stringify(JSON.parse(body), null, 2)
  } catch {}
  return text.length > maxChars ? `${text.slice(0, maxChars)}\n… (${text.length - maxChars} more characters)` : text
}
