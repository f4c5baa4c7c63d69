import { WebhookError } from './errors.js'

/**
 * Requests whose body a Node body parser read before toNodeHandler() saw them. They are
 * still handed to the inbox, so the refusal is counted and reported like every other
 * 5xx; a WeakSet and not a header, which a sender could forge.
 */
const parsedBodies = new WeakSet<Request>()

export function markBodyParsed(request: Request): Request {
  parsedBodies.add(request)
  return request
}

export function refuseParsedBody(request: Request, name: string): void {
  if (!parsedBodies.has(request)) return
  throw new WebhookError(
    'body_already_parsed',
    `${name}: the request body was already read by a body parser, so its signed bytes are gone: ` +
      'mount toNodeHandler(inbox) before express.json() (or any body parser), or keep the parser off this path',
  )
}
