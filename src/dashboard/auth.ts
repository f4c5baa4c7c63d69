import type { Context } from 'hono'

/** HTTP Basic credentials, or the app's own check (a session cookie, an SSO header). */
export type DashboardAuth = { username: string; password: string } | ((request: Request) => boolean | Promise<boolean>)

const encoder = new TextEncoder()

/**
 * Equal in time whatever the inputs: both sides are hashed first, so neither the length
 * nor the first differing byte of the password shows in how long the answer takes.
 */
async function sameText(a: string, b: string): Promise<boolean> {
  const [x, y] = await Promise.all([a, b].map(async (s) => new Uint8Array(await crypto.subtle.digest('SHA-256', encoder.encode(s)))))
  let diff = 0
  for (let i = 0; i < x!.length; i++) diff |= x![i]! ^ y![i]!
  return diff === 0
}

function basicCredentials(header: string | undefined): [string, string] | undefined {
  const match = /^Basic\s+([A-Za-z0-9+/=]+)$/i.exec(header ?? '')
  if (!match) return undefined
  let decoded: string
  try {
    decoded = new TextDecoder().decode(Uint8Array.from(atob(match[1]!), (ch) => ch.charCodeAt(0)))
  } catch {
    return undefined
  }
  const colon = decoded.indexOf(':')
  return colon === -1 ? undefined : [decoded.slice(0, colon), decoded.slice(colon + 1)]
}

/** Throws at start-up, naming the option, so a dashboard is never mounted open. */
export function checkAuthOption(auth: DashboardAuth | undefined): DashboardAuth {
  if (typeof auth === 'function') return auth
  if (auth === undefined || auth === null) {
    throw new TypeError('[webhook-inbox] dashboard(): the auth option is required: { username, password } or (request) => boolean')
  }
  if (typeof auth.username !== 'string' || auth.username === '') throw new TypeError('[webhook-inbox] dashboard(): auth.username must be a non-empty string')
  if (typeof auth.password !== 'string' || auth.password === '') throw new TypeError('[webhook-inbox] dashboard(): auth.password must be a non-empty string')
  return auth
}

export async function isAuthorized(auth: DashboardAuth, c: Context): Promise<boolean> {
  if (typeof auth === 'function') return (await auth(c.req.raw)) === true
  const given = basicCredentials(c.req.header('authorization'))
  // Both compared every time, so a wrong username costs as long as a wrong password.
  const [user, pass] = await Promise.all([sameText(given?.[0] ?? '', auth.username), sameText(given?.[1] ?? '', auth.password)])
  return given !== undefined && user && pass
}
