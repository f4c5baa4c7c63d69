import { readFileSync, statSync } from 'node:fs'
import { describe, expect, it } from 'vitest'
import { github } from '../../providers/index.js'
import { createInbox } from '../../src/inbox.js'
import { fixture, signedRequest } from '../../src/testing/index.js'
import { waitFor } from '../helpers.js'
import { PG_LOG, PG_URL, tempPostgresStore } from '../postgres-helpers.js'

const secret = 'log-secret'
const title = PG_LOG
  ? 'Postgres server log'
  : 'Postgres server log (skipped: WEBHOOK_INBOX_TEST_PG_LOG, the server log path, is unset; .ci/postgres.sh run sets it)'

describe.skipIf(!PG_URL || !PG_LOG)(title, () => {
  it('inbox.fetch() answers digest and id duplicates 200 duplicate without an ERROR line about them in the server log', async () => {
    const { store, schema } = tempPostgresStore()
    const inbox = createInbox({ store, providers: { github: github({ secret }) }, mode: 'inline' })
    const body = JSON.stringify(fixture('github', 'issues.opened'))
    const send = async (id: string) => {
      const response = await inbox.fetch(await signedRequest('github', body, { secret, id, type: 'issues' }))
      return [response.status, response.headers.get('webhook-inbox-status')]
    }
    expect(await send('log-1')).toEqual([200, 'processed'])
    const from = statSync(PG_LOG).size
    const answers = []
    // Five redeliveries by id (log-1) and five of the same bytes under new ids (digest duplicates).
    for (let i = 0; i < 5; i++) answers.push(await send('log-1'), await send(`log-forged-${i}`))
    expect(answers).toEqual(Array.from({ length: 10 }, () => [200, 'duplicate']))

    // An error of our own, after the deliveries: once it is in the log, so is anything they caused.
    const marker = `duplicates-log-marker ${schema}`
    await expect(store.pool.query(`DO $$ BEGIN RAISE EXCEPTION '${marker}'; END $$`)).rejects.toThrow(marker)
    let appended = ''
    await waitFor(() => (appended = readFileSync(PG_LOG, 'utf8').slice(from)).includes(marker), 5_000, 'the marker in the server log')
    const lines = appended.split('\n')
    const pid = (line: string) => /\[(\d+)\]/.exec(line)?.[1]
    // An error's STATEMENT line, logged next by the same backend, names the schema-qualified table; other tests share the server.
    const statementOf = (i: number) => lines.slice(i + 1).find((line) => pid(line) === pid(lines[i]!) && line.includes('STATEMENT:')) ?? ''
    const ours = lines
      .map((line, i) => ({ line, statement: line.includes('ERROR:') ? statementOf(i) : '' }))
      .filter(({ line, statement }) => line.includes('ERROR:') && statement.includes(`"${schema}"`) && !line.includes(marker))
    expect(ours.map(({ line }) => line)).toEqual([])
  })
})
