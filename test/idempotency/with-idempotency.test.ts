import { describe, expect, it } from 'vitest'
import { withIdempotency } from '../../src/idempotency/index.js'
import { tempStore } from '../node-helpers.js'

describe('withIdempotency()', () => {
  it('wraps a fetch-style handler: the handler reads its body and extra arguments, and a retry is the replay', async () => {
    const { store } = tempStore()
    const seen: string[] = []
    const handler = withIdempotency({ store })(async (request: Request, env: { region: string }) => {
      seen.push(`${env.region} ${await request.text()}`)
      return new Response('{"id":"ord_1"}', { status: 201, headers: { 'content-type': 'application/json' } })
    })
    const request = () => new Request('https://api.test/orders', { method: 'POST', body: '{"item":"book"}', headers: { 'idempotency-key': 'w-1' } })
    expect((await handler(request(), { region: 'eu' })).status).toBe(201)
    const replay = await handler(request(), { region: 'eu' })
    expect([replay.status, replay.headers.get('idempotent-replayed'), await replay.text()]).toEqual([201, 'true', '{"id":"ord_1"}'])
    expect(seen).toEqual(['eu {"item":"book"}'])
  })

  it('rethrows what the handler throws and releases the key, so the retry runs it again', async () => {
    const { store } = tempStore()
    let runs = 0
    const handler = withIdempotency({ store, scope: (request) => request.headers.get('x-account') ?? '' })(async () => {
      runs++
      if (runs === 1) throw new Error('database down')
      return new Response('ok', { status: 201 })
    })
    const request = () => new Request('https://api.test/orders', { method: 'POST', body: '{}', headers: { 'idempotency-key': 'w-2', 'x-account': 'acct_1' } })
    await expect(handler(request())).rejects.toThrow('database down')
    expect(await store.keys.get({ scope: 'acct_1', key: 'w-2' })).toBeUndefined()
    expect((await handler(request())).status).toBe(201)
    expect(await store.keys.get({ scope: 'acct_1', key: 'w-2' })).toMatchObject({ status: 'completed', responseStatus: 201 })
  })
})
