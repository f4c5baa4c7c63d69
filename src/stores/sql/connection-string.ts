/**
 * What may be said about a database URL (postgres://, mysql://) in an error, a log line or
 * CLI output. A password with an unencoded `/`, `?`, `#` or `@` moves the URL parser's idea
 * of where the host starts, so nothing here trusts one parse: the credentials are
 * everything before the last `@`, and only what follows it is ever printed.
 */

const SCHEME = /^\s*[a-z][a-z0-9+.-]*:\/*/i
const HOST = /^(\[[0-9a-f:.]+\]|[a-z0-9._-]+)(:\d{1,5})?$/i
const DATABASE = /^[a-z0-9_.$-]{1,63}$/i

function split(url: string) {
  const rest = url.replace(SCHEME, '')
  const at = rest.lastIndexOf('@')
  const address = rest.slice(at + 1)
  const [host = '', database = ''] = /^([^/?#]*)\/?([^?#]*)/.exec(address)!.slice(1)
  return { credentials: at < 0 ? '' : rest.slice(0, at), host, database, query: /\?([^#]*)/.exec(address)?.[1] ?? '' }
}

/** Whether the WHATWG parse (what the driver uses) agrees on the host: only then is the database name where it seems. */
function parsesAsWritten(url: string, host: string): boolean {
  if (!URL.canParse(url.trim())) return false
  const parsed = new URL(url.trim())
  return parsed.host.toLowerCase() === host.toLowerCase() && !`${parsed.pathname}${parsed.search}`.includes('@')
}

/**
 * `host:port/database` when the URL parses as written; the host alone, with a hint, when it
 * does not; nothing of it when even the host is not a plain host name.
 */
export function describeConnectionString(url: string, defaultPort: number): string {
  const { host, database, query } = split(url)
  // A Unix socket directory travels as ?host= with an empty host.
  const socket = host === '' ? new URLSearchParams(query).get('host') : null
  if (socket !== null && /^\/[\w./-]*$/.test(socket)) return `${socket}${DATABASE.test(database) ? `/${database}` : ''}`
  if (!HOST.test(host)) return 'the server in the URL (not shown: its host does not parse)'
  if (!parsesAsWritten(url, host)) {
    return `${host} (the URL does not parse as written: percent-encode any / ? # @ : in the user name or password)`
  }
  const port = /:\d+$/.test(host) ? '' : `:${defaultPort}`
  return `${host}${port}${DATABASE.test(database) ? `/${database}` : ''}`
}

/** Percent-decoded where it can be: a literal `%` in a password typed unencoded stays as typed. */
export function decoded(text: string): string {
  try {
    return decodeURIComponent(text)
  } catch {
    return text
  }
}

/**
 * Removes from `text` (a driver's message) the password of `url` and every piece of it the
 * driver may have taken for a host, port or database name, encoded or not.
 */
export function redactConnectionString(url: string): (text: string) => string {
  const { credentials, query } = split(url)
  const colon = credentials.indexOf(':')
  const password = colon < 0 ? '' : credentials.slice(colon + 1)
  const fromQuery = new URLSearchParams(query).get('password') ?? ''
  const pieces = [password, decoded(password), fromQuery, ...password.split(/[/:@?#]/)]
    .filter((piece) => piece.length >= 3)
    // Longest first, so a piece inside a longer one does not leave the rest behind.
    .sort((a, b) => b.length - a.length)
  return (text) => pieces.reduce((clean, piece) => clean.replaceAll(piece, '[redacted]'), text)
}
