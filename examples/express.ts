// Express: `toNodeHandler(inbox)` reads the raw body itself, so mount it before
// express.json(), which would consume the signed bytes (the inbox then answers 500
// body_already_parsed). Run: npx tsx examples/express.ts
import express from 'express'
import { toNodeHandler } from '../src/node/index.js' // 'webhook-inbox/node'
import { examplePort } from './dev-secrets.js'
import { inbox, runSweeperUntilSignal } from './inbox.js'

const app = express()
app.post('/webhooks/:provider', toNodeHandler(inbox))
app.use(express.json()) // the rest of your API, after the webhooks
app.post('/api/orders', (req, res) => void res.status(201).json({ received: req.body }))

const server = app.listen(examplePort(), '127.0.0.1', () => {
  const { port } = server.address() as { port: number }
  console.log(`express listening on http://127.0.0.1:${port}/webhooks/:provider`)
})
runSweeperUntilSignal(() => new Promise((resolve) => server.close(() => resolve())))
