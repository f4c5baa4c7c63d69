// d. The Stripe peer: express + express.raw + stripe.webhooks.constructEvent.
import express from 'express'
import type { Server } from 'node:http'
import { createServer } from 'node:http'
import Stripe from 'stripe'
import { announce, SECRET } from './listen.js'

const app = express()
app.post('/stripe', express.raw({ type: 'application/json' }), (req, res) => {
  try {
    Stripe.webhooks.constructEvent(req.body as Buffer, req.header('stripe-signature') ?? '', SECRET)
  } catch {
    res.status(400).json({ ok: false })
    return
  }
  res.json({ received: true })
})
announce(createServer(app) as Server)
