import type { MiddlewareHandler } from 'hono'

function nonce(): string {
  const bytes = crypto.getRandomValues(new Uint8Array(16))
  return btoa(String.fromCharCode(...bytes))
}

/**
 * Every answer: no framing, no referrer leaking event ids, nothing cached, and a CSP
 * under which only this response's own nonce'd style applies and no script runs, so
 * even an escaping bug could not execute a payload.
 */
export const securityHeaders: MiddlewareHandler<{ Variables: { nonce: string } }> = async function securityHeaders(c, next) {
  const value = nonce()
  c.set('nonce', value)
  await next()
  const h = c.res.headers
  h.set(
    'Content-Security-Policy',
    `default-src 'none'; style-src 'nonce-${value}'; script-src 'none'; img-src 'self' data:; form-action 'self'; frame-ancestors 'none'; base-uri 'none'`,
  )
  h.set('X-Frame-Options', 'DENY')
  h.set('Referrer-Policy', 'no-referrer')
  h.set('Cache-Control', 'no-store')
  h.set('X-Content-Type-Options', 'nosniff')
}
