// Fastify: inside one plugin, drop Fastify's body parsers so the raw body stays unread,
// and hand the request to `toNodeHandler(inbox)`. Run: npx tsx examples/fastify.ts
import Fastify from 'fastify'
import { toNodeHandler } from '../src/node/index.js' // 'webhook-inbox/node'
import { examplePort } from './dev-secrets.js'
import { inbox, runSweeperUntilSignal } from './inbox.js'

const app = Fastify()
await app.register(async (webhooks) => {
  // Scoped to this plugin: the rest of the app keeps its JSON parser.
  webhooks.removeAllContentTypeParsers()
  webhooks.addContentTypeParser('*', (_request, _payload, done) => done(null))
  const handle = toNodeHandler(inbox)
  webhooks.post('/webhooks/:provider', async (request, reply) => {
    reply.hijack() // the inbox writes the answer itself
    await handle(request.raw, reply.raw)
  })
})
app.post('/api/orders', async (request, reply) => reply.code(201).send({ received: request.body }))

const address = await app.listen({ port: examplePort(), host: '127.0.0.1' })
console.log(`fastify listening on ${address}/webhooks/:provider`)
runSweeperUntilSignal(() => app.close())
