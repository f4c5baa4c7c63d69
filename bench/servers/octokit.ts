// c. The peer: @octokit/webhooks' Node middleware with one handler; stores nothing.
import { createNodeMiddleware, Webhooks } from '@octokit/webhooks'
import { createServer } from 'node:http'
import { announce, SECRET } from './listen.js'

const webhooks = new Webhooks({ secret: SECRET })
webhooks.on('issues', () => {})
announce(createServer(createNodeMiddleware(webhooks, { path: '/github' })))
