import { serve as serveHttp } from '@hono/node-server'
import type { Server, ServerResponse } from 'node:http'
import type { Inbox } from '../inbox.js'
import type { SweeperOptions } from '../sweeper.js'
import type { Providers } from '../types.js'

export interface ServeOptions {
  /** The app to serve; by default the inbox alone (every path's last segment names the provider). */
  fetch?: (request: Request) => Response | Promise<Response>
  port?: number
  hostname?: string
  /** The in-process sweeper's options; `false` starts none, leaving due events to another process's sweeper. */
  sweeper?: SweeperOptions | false
  /** @deprecated use sweeper */
  worker?: SweeperOptions | false
  /** How long running handlers may finish after SIGTERM before their leases are given back. */
  graceMs?: number
  /** Signals that shut down cleanly and exit; `false` installs none. */
  signals?: readonly NodeJS.Signals[] | false
  /** A request (headers and body) must arrive within this, or Node answers 408 and closes the connection. */
  requestTimeoutMs?: number
  /** The request headers must arrive within this; at most `requestTimeoutMs`. */
  headersTimeoutMs?: number
}

export interface Served {
  port: number
  /**
   * Stops accepting requests, closes idle connections, shuts the inbox down (see
   * `inbox.shutdown()`), then closes every connection left, slow or not.
   */
  close(): Promise<void>
}

/** How long `close()` lets answers already being written reach their clients. */
const FLUSH_MS = 1_000

function written(responses: ServerResponse[], ms: number): Promise<unknown> {
  let timer: ReturnType<typeof setTimeout> | undefined
  const finished = responses.map(
    (response) =>
      new Promise((resolve) => {
        if (response.writableFinished) return resolve(undefined)
        response.once('finish', resolve)
        response.once('close', resolve)
      }),
  )
  const timeout = new Promise((resolve) => (timer = setTimeout(resolve, ms)))
  return Promise.race([Promise.all(finished), timeout]).finally(() => clearTimeout(timer))
}

/**
 * Serves an inbox over HTTP with @hono/node-server, runs its sweeper in-process,
 * and on SIGTERM / SIGINT stops cleanly: no new requests, running handlers finish
 * or give their lease back, the store is closed, then the process exits 0.
 *
 * @example
 * await serve(inbox, { port: 3000 })
 */
export async function serve(inbox: Pick<Inbox<Providers>, 'fetch' | 'startSweeper' | 'shutdown' | 'logger'>, options: ServeOptions = {}): Promise<Served> {
  const { hostname = '127.0.0.1', graceMs = 10_000, signals = ['SIGTERM', 'SIGINT'] } = options
  const { requestTimeoutMs = 30_000, headersTimeoutMs = 10_000 } = options
  for (const [name, value] of [['requestTimeoutMs', requestTimeoutMs], ['headersTimeoutMs', headersTimeoutMs]] as const) {
    if (!Number.isInteger(value) || value < 1) throw new TypeError(`[webhook-inbox] serve(): ${name} must be a whole number from 1`)
  }
  if (headersTimeoutMs > requestTimeoutMs) {
    throw new TypeError(`[webhook-inbox] serve(): headersTimeoutMs (${headersTimeoutMs}) must not exceed requestTimeoutMs (${requestTimeoutMs})`)
  }
  const fetch = options.fetch ?? ((request: Request) => inbox.fetch(request))
  const serverOptions = {
    // Node's default request timeout is 300 s: long enough for a client sending a byte a second to hold a connection.
    requestTimeout: requestTimeoutMs,
    headersTimeout: headersTimeoutMs,
    // Node checks both timeouts on this interval (default 30 s), so it bounds how late they fire.
    connectionsCheckingInterval: Math.min(1_000, headersTimeoutMs),
  }
  let server!: Server
  const wanted = options.port ?? 3000
  const port = await new Promise<number>((resolve, reject) => {
    // Without `createServer` this is node:http, whatever the union type says.
    server = serveHttp({ fetch, hostname, port: wanted, serverOptions }, (info) => resolve(info.port)) as Server
    // Otherwise a busy port is an unhandled 'error' event: a stack trace instead of a reason.
    server.once('error', (error: NodeJS.ErrnoException) => {
      const reason = error.code === 'EADDRINUSE' ? 'is already in use (EADDRINUSE): stop the other server or pick another port' : `cannot be listened on (${error.code ?? error.message})`
      reject(new Error(`[webhook-inbox] serve(): ${hostname}:${wanted} ${reason}`, { cause: error }))
    })
  })
  const sweeperOptions = options.sweeper ?? options.worker
  const sweeper = sweeperOptions === false ? undefined : inbox.startSweeper(sweeperOptions)
  const responses = new Set<ServerResponse>()
  server.on('request', (_request, response: ServerResponse) => {
    responses.add(response)
    response.once('close', () => responses.delete(response))
  })

  let closing: Promise<void> | undefined
  const close = () =>
    (closing ??= (async () => {
      sweeper?.stop()
      const closed = new Promise<void>((resolve) => server.close(() => resolve()))
      server.closeIdleConnections()
      await inbox.shutdown({ graceMs })
      // The last runs' answers are written a few promise turns after the runs settle;
      // let them reach their clients, within a bound (a client may not read).
      await new Promise((resolve) => setImmediate(resolve))
      await written([...responses].filter((response) => response.headersSent), FLUSH_MS)
      // Whatever is still open is idle, or a client still sending its request: the
      // handlers are done or given back, so nothing it could send would be run.
      server.closeAllConnections()
      await closed
    })())

  if (signals) {
    for (const signal of signals) {
      process.once(signal, () => {
        void close().then(
          () => process.exit(0),
          (error: unknown) => {
            inbox.logger.error(`[webhook-inbox] shutdown failed: ${String(error)}`)
            process.exit(1)
          },
        )
      })
    }
  }
  return { port, close }
}

export { type NodeHandler, toNodeHandler } from './handler.js'
