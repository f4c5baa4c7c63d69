import { describe, expect, it } from 'vitest'
import type { Io } from '../../src/cli/context.js'
import { run } from '../../src/cli/run.js'
import { withIdempotency } from '../../src/idempotency/index.js'
import { tempStore } from '../node-helpers.js'

function io(): Io & { stdout: string[]; stderr: string[] } {
  const stdout: string[] = []
  const stderr: string[] = []
  return { stdout, stderr, out: (line) => void stdout.push(line), err: (line) => void stderr.push(line), progress: () => {}, env: {} }
}

/** A store with one completed key "paid" in each of `scopes` (acct_1 by default), written by the middleware. */
async function storeWithKey(ttl = 86_400_000, scopes = ['acct_1']) {
  const { store, path } = tempStore()
  for (const scope of scopes) {
    const handler = withIdempotency({ store, ttl, scope: () => scope })(async () => new Response('{"id":"ord_1"}', { status: 201, headers: { 'content-type': 'application/json' } }))
    await handler(new Request('https://api.test/orders', { method: 'POST', body: '{}', headers: { 'idempotency-key': 'paid' } }))
  }
  return path
}

describe('webhook-inbox keys in-process', () => {
  it('webhook-inbox keys list --json prints one summary per key, without the response body', async () => {
    const path = await storeWithKey()
    const out = io()
    expect(await run(['keys', 'list', '--db', path, '--json'], out)).toBe(0)
    expect(out.stdout.map((line) => JSON.parse(line) as object)).toEqual([
      expect.objectContaining({ scope: 'acct_1', key: 'paid', method: 'POST', path: '/orders', status: 'completed', responseStatus: 201 }),
    ])
    expect(out.stdout[0]).not.toContain('ord_1')
  })

  it('webhook-inbox keys show --scope prints the stored response, and exits 1 for a key in another scope', async () => {
    const path = await storeWithKey()
    const out = io()
    expect(await run(['keys', 'show', 'paid', '--scope', 'acct_1', '--db', path, '--json'], out)).toBe(0)
    expect(JSON.parse(out.stdout[0]!)).toMatchObject({ key: 'paid', response: { status: 201, body: '{"id":"ord_1"}', headers: { 'content-type': 'application/json' } } })
    const missing = io()
    expect(await run(['keys', 'show', 'paid', '--scope', '', '--db', path], missing)).toBe(1)
    expect(missing.stderr).toEqual(['webhook-inbox keys: no idempotency key "paid" in scope ""'])
  })

  it('webhook-inbox keys show <key> without --scope prints the key from the one scope that holds it', async () => {
    const path = await storeWithKey()
    const out = io()
    expect(await run(['keys', 'show', 'paid', '--db', path, '--json'], out)).toBe(0)
    expect(JSON.parse(out.stdout[0]!)).toMatchObject({ scope: 'acct_1', key: 'paid', response: { status: 201, body: '{"id":"ord_1"}' } })
  })

  it('webhook-inbox keys show <key> without --scope exits 2 naming every scope that holds the key, and 1 when none does', async () => {
    const path = await storeWithKey(undefined, ['acct_1', ''])
    const several = io()
    expect(await run(['keys', 'show', 'paid', '--db', path], several)).toBe(2)
    expect(several.stderr).toEqual(['webhook-inbox keys: idempotency key "paid" is held in scopes "", "acct_1": pass --scope <s> to pick one'])
    const none = io()
    expect(await run(['keys', 'show', 'unpaid', '--db', path], none)).toBe(1)
    expect(none.stderr).toEqual(['webhook-inbox keys: no idempotency key "unpaid" in any scope'])
  })

  it('webhook-inbox keys purge deletes expired keys only', async () => {
    const kept = await storeWithKey()
    const out = io()
    expect(await run(['keys', 'purge', '--db', kept, '--json'], out)).toBe(0)
    expect(out.stdout).toEqual(['{"deleted":0}'])
    const expired = await storeWithKey(0)
    const purged = io()
    expect(await run(['keys', 'purge', '--db', expired, '--json'], purged)).toBe(0)
    expect(purged.stdout).toEqual(['{"deleted":1}'])
  })

  it('webhook-inbox keys exits 2 with a one-line reason for a missing or unknown subcommand or status', async () => {
    const path = await storeWithKey()
    for (const args of [['keys'], ['keys', 'drop'], ['keys', 'list', '--status', 'done']]) {
      const out = io()
      expect(await run([...args, '--db', path], out)).toBe(2)
      expect(out.stderr).toHaveLength(1)
    }
  })
})
