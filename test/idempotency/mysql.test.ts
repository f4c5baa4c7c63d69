import { Hono } from 'hono'
import { describe, expect, it } from 'vitest'
import { idempotency } from '../../src/idempotency/index.js'
import { MYSQL_URL, sameDatabaseStore, tempMysqlStore } from '../mysql-helpers.js'

describe.skipIf(!MYSQL_URL)('idempotency() middleware on MySQL', () => {
  it('runs the handler once for 20 concurrent identical requests with one key over two instances; the rest get 409 or the replay', async () => {
    const { store: first, url } = await tempMysqlStore()
    const second = sameDatabaseStore(url)
    await Promise.all([first.ready(), second.ready()])
    let runs = 0
    const instances = [first, second].map((store) => {
      const app = new Hono()
      app.post('/orders', idempotency({ store }), (c) => {
        runs++
        return c.json({ id: `ord_${runs}` }, 201)
      })
      return app
    })
    const post = (i: number) =>
      instances[i % 2]!.request('/orders', { method: 'POST', body: '{"item":"book"}', headers: { 'idempotency-key': 'my-race' } })

    const answers = await Promise.all(Array.from({ length: 20 }, (_, i) => post(i)))
    expect(runs).toBe(1)
    const fresh = answers.filter((a) => a.status === 201 && a.headers.get('idempotent-replayed') === null)
    const replayed = answers.filter((a) => a.status === 201 && a.headers.get('idempotent-replayed') === 'true')
    const inUse = answers.filter((a) => a.status === 409)
    expect([fresh.length, replayed.length + inUse.length]).toEqual([1, 19])
    for (const answer of replayed) expect(await answer.json()).toEqual({ id: 'ord_1' })

    const later = await post(1)
    expect([later.status, later.headers.get('idempotent-replayed'), await later.json()]).toEqual([201, 'true', { id: 'ord_1' }])
    expect(runs).toBe(1)
    expect(await first.keys.get({ scope: '', key: 'my-race' })).toMatchObject({ status: 'completed', responseStatus: 201 })
  })
})
