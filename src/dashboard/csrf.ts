import type { DashboardAuth } from './auth.js'

/** A token is good for the hour it was made in and the next: a form left open still works. */
const WINDOW_MS = 3_600_000

const encoder = new TextEncoder()

function base64url(bytes: ArrayBuffer): string {
  return btoa(String.fromCharCode(...new Uint8Array(bytes))).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '')
}

/**
 * Stateless CSRF tokens: an HMAC over the credentials and the hour, so any instance
 * behind a load balancer checks what another issued, and changing the password
 * voids every token.
 */
export function createCsrf(auth: DashboardAuth, secret: string | undefined, now: () => number) {
  if (typeof auth === 'function' && !secret) {
    throw new TypeError('[webhook-inbox] dashboard(): with auth as a function, the secret option is required (it keys the CSRF tokens)')
  }
  const material = secret ?? (typeof auth === 'function' ? '' : `${auth.username}\u0000${auth.password}`)
  const key = crypto.subtle.importKey('raw', encoder.encode(`webhook-inbox dashboard csrf\u0000${material}`), { name: 'HMAC', hash: 'SHA-256' }, false, ['sign'])
  const tokenFor = async (window: number) => base64url(await crypto.subtle.sign('HMAC', await key, encoder.encode(String(window))))
  return {
    token: () => tokenFor(Math.floor(now() / WINDOW_MS)),
    async verify(token: unknown): Promise<boolean> {
      if (typeof token !== 'string' || token === '') return false
      const window = Math.floor(now() / WINDOW_MS)
      const expected = await Promise.all([tokenFor(window), tokenFor(window - 1)])
      // Both compared, so the time taken does not say which hour matched.
      const matches = expected.map((e) => e.length === token.length && [...e].reduce((d, ch, i) => d | (ch.charCodeAt(0) ^ token.charCodeAt(i)), 0) === 0)
      return matches.some(Boolean)
    },
  }
}

export type Csrf = ReturnType<typeof createCsrf>
