import { getRequestListener } from '@hono/node-server'
import type { IncomingMessage, ServerResponse } from 'node:http'
import type { Inbox } from '../inbox.js'
import { markBodyParsed } from '../parsed-body.js'
import type { Providers } from '../types.js'

/** A `(req, res)` handler for Express, Connect, Fastify's `reply.raw`, or `node:http` itself. */
export type NodeHandler = (req: IncomingMessage, res: ServerResponse) => Promise<void>

/**
 * A body parser that ran first (express.json(), express.raw(), body-parser) leaves
 * `req.body` set and the stream read: the signed bytes are gone, and verifying
 * what it re-serialises would answer a confusing 401.
 */
function bodyAlreadyRead(req: IncomingMessage): boolean {
  return (req as { body?: unknown }).body !== undefined || req.readableEnded
}

/**
 * Serves an inbox from any framework that hands out Node's `(req, res)`: the raw
 * body is read here, with the inbox's own size and time limits.
 *
 * @example
 * app.post('/webhooks/:provider', toNodeHandler(inbox)) // before app.use(express.json())
 */
export function toNodeHandler(inbox: Pick<Inbox<Providers>, 'fetch'>): NodeHandler {
  const deliver = getRequestListener((request) => inbox.fetch(request))
  // The inbox answers it (500 body_already_parsed) and tells onError or the logger.
  const refuse = getRequestListener((request) => inbox.fetch(markBodyParsed(request)))
  return function webhookInbox(req, res) {
    return bodyAlreadyRead(req) ? refuse(req, res) : deliver(req, res)
  }
}
