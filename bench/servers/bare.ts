// a. The ceiling: node:http reads the body and answers 200.
import { createServer } from 'node:http'
import { announce } from './listen.js'

announce(
  createServer((req, res) => {
    req.on('data', () => {})
    req.on('end', () => {
      res.writeHead(200, { 'content-type': 'application/json' })
      res.end('{"ok":true}')
    })
  }),
)
