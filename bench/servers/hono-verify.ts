// b. What a hand-rolled receiver does: a Hono route that checks GitHub's HMAC with
// node:crypto and stores nothing.
import type { Server } from 'node:http'
import { createAdaptorServer } from '@hono/node-server'
import { Hono } from 'hono'
import { createHmac, timingSafeEqual } from 'node:crypto'
import { announce, SECRET } from './listen.js'

const app = new Hono()
app.post('/github', async (c) => {
  const body = Buffer.from(await c.req.arrayBuffer())
  const expected = Buffer.from(`sha256=${createHmac('sha256', SECRET).update(body).digest('hex')}`)
  const given = Buffer.from(c.req.header('x-hub-signature-256') ?? '')
  if (given.length !== expected.length || !timingSafeEqual(given, expected)) return c.json({ ok: false }, 401)
  JSON.parse(body.toString('utf8'))
  return c.json({ ok: true })
})
announce(createAdaptorServer({ fetch: app.fetch }) as Server)
