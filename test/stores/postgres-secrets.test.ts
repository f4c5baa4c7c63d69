import { describe, expect, it } from 'vitest'
import { github } from '../../providers/index.js'
import { createInbox } from '../../src/inbox.js'
import { postgresStore } from '../../src/stores/postgres/index.js'
import { signedDelivery } from '../helpers.js'
import { onCleanup } from '../node-helpers.js'
import { PG_URL } from '../postgres-helpers.js'

// The password is "4711/Tr0ub4dor" (or with @ # ? in place of /), never percent-encoded:
// each shape moves where a URL parser thinks the host starts.
const SHAPES = {
  'an unencoded /': 'postgres://inbox:4711/Tr0ub4dor@127.0.0.1:1/inbox',
  'an @ in the password': 'postgres://inbox:4711@Tr0ub4dor@127.0.0.1:1/inbox',
  'a # in the password': 'postgres://inbox:4711#Tr0ub4dor@127.0.0.1:1/inbox',
  'a ? in the password': 'postgres://inbox:4711?Tr0ub4dor@127.0.0.1:1/inbox',
  'no port': 'postgres://inbox:4711/Tr0ub4dor@127.0.0.1/inbox?port=1',
  'an IPv6 host and an upper-case scheme': 'POSTGRESQL://inbox:4711/Tr0ub4dor@[::1]:1/inbox',
  'garbage after the credentials': 'postgres://inbox:4711/Tr0ub4dor@@:gar bage:/%zz',
}
const FRAGMENTS = ['Tr0ub4dor', '4711/Tr0', 'Tr0ub', 'ub4dor', '4711']

function expectNoPassword(text: string) {
  for (const fragment of FRAGMENTS) expect(text).not.toContain(fragment)
}

/** An inbox over `connectionString`, logging to a list and with no onError, so every 5xx is logged. */
async function deliverTo(connectionString: string) {
  const store = postgresStore({ connectionString })
  onCleanup(() => store.close())
  const lines: string[] = []
  const log = (line: string) => void lines.push(line)
  const provider = github({ secret: 'pg-secrets' })
  const inbox = createInbox({ store, providers: { github: provider }, mode: 'inline', logger: { info: log, warn: log, error: log } })
  const ready = await store.ready().then(() => undefined, (error: unknown) => error as Error & { code: string })
  const response = await inbox.fetch(await signedDelivery(provider, 'github', { body: '{"action":"opened","issue":{}}', type: 'issues' }))
  return { ready, response, body: await response.text(), lines }
}

describe('postgresStore() with a password a URL parser misreads', () => {
  for (const [shape, connectionString] of Object.entries(SHAPES)) {
    it(`store.ready(), the logger and inbox.fetch()'s 503 carry no fragment of the password for a URL with ${shape}`, async () => {
      const { ready, response, body, lines } = await deliverTo(connectionString)
      expect(ready).toMatchObject({ code: 'store_unavailable', status: 503 })
      expect([response.status, (JSON.parse(body) as { code: string }).code]).toEqual([503, 'store_unavailable'])
      expect(lines.length).toBeGreaterThan(0)
      for (const text of [ready!.message, String(ready!.stack), body, ...lines]) expectNoPassword(text)
    })
  }
})

describe.skipIf(!PG_URL)('postgresStore() whose misread URL reaches a real server', () => {
  it("store.ready() and inbox.fetch()'s 503 leave out the password fragment the server echoes as a database name", async () => {
    // "localhost:<port>" is the user and the start of the password to a reader, but host and
    // port to the driver, which asks the server for database "Tr0ub4dor@…": the server's
    // answer names it.
    const { hostname, port, username } = new URL(PG_URL)
    const { ready, body, lines } = await deliverTo(`postgres://${hostname}:${port}/Tr0ub4dor@127.0.0.1:1/inbox?user=${username}`)
    expect(ready).toMatchObject({ code: 'store_unavailable' })
    expect(ready!.message).toContain('3D000')
    for (const text of [ready!.message, String(ready!.stack), body, ...lines]) expect(text).not.toContain('Tr0ub4dor')
  })
})
