import { describe, expect, it } from 'vitest'
import { github } from '../../providers/github.js'
import { LEDGER_SECRET, startServer } from './processes.js'
import { adminQuery, createDatabase, MYSQL_URL } from '../mysql-helpers.js'
import { onCleanup } from '../node-helpers.js'

describe.skipIf(!MYSQL_URL)('npm start with DATABASE_URL=mysql://', () => {
  it('examples/node.ts says it uses MySQL at start-up and stores a signed delivery there as processed', async () => {
    const { database, url } = await createDatabase('example')
    const server = await startServer({ PORT: '0', DATABASE_URL: url, GITHUB_WEBHOOK_SECRET: LEDGER_SECRET }, 'examples/node.ts')
    onCleanup(() => void server.child.kill('SIGKILL'))
    const body = JSON.stringify({ ref: 'refs/heads/main', before: '0'.repeat(40), after: '1'.repeat(40), commits: [], repository: { full_name: 'acme/app' } })
    const headers = await github({ secret: LEDGER_SECRET }).sign({ body, id: 'example-mysql-1', type: 'push' })
    const response = await fetch(`http://127.0.0.1:${server.port}/webhooks/github`, { method: 'POST', headers, body })
    expect([response.status, response.headers.get('webhook-inbox-status')]).toEqual([200, 'processed'])
    expect(await adminQuery(`select event_id as id, status from \`${database}\`.webhook_events`)).toEqual([{ id: Buffer.from('example-mysql-1'), status: 'processed' }])
    expect(server.output()).toContain('(store: mysql from DATABASE_URL)')
  }, 30_000)
})
