import { serve as serveHttp } from '@hono/node-server'
import type { Inbox } from './inbox.js'
import type { WorkerOptions } from './sweeper.js'
import type { Providers } from './types.js'

export interface ServeOptions {
  /** The app to serve; by default the inbox alone (every path's last segment names the provider). */
  fetch?: (request: Request) => Response | Promise<Response>
  port?: number
  hostname?: string
  /** The in-process sweeper; `false` leaves retries to another process. */
  worker?: WorkerOptions | false
  /** How long running handlers may finish after SIGTERM before their leases are given back. */
  graceMs?: number
  /** Signals that shut down cleanly and exit; `false` installs none. */
  signals?: readonly NodeJS.Signals[] | false
}

export interface Served {
  port: number
  /** Stops accepting requests, shuts the inbox down (see `inbox.shutdown()`) and closes the server. */
  close(): Promise<void>
}

/**
 * Serves an inbox over HTTP with @hono/node-server, runs its sweeper in-process,
 * and on SIGTERM / SIGINT stops cleanly: no new requests, running handlers finish
 * or give their lease back, the store is closed, then the process exits 0.
 *
 * @example
 * await serve(inbox, { port: 3000 })
 */
export async function serve(inbox: Pick<Inbox<Providers>, 'fetch' | 'startWorker' | 'shutdown'>, options: ServeOptions = {}): Promise<Served> {
  const { hostname = '127.0.0.1', graceMs = 10_000, signals = ['SIGTERM', 'SIGINT'] } = options
  const fetch = options.fetch ?? ((request: Request) => inbox.fetch(request))
  let server!: ReturnType<typeof serveHttp>
  const port = await new Promise<number>((resolve) => {
    server = serveHttp({ fetch, hostname, port: options.port ?? 3000 }, (info) => resolve(info.port))
  })
  const worker = options.worker === false ? undefined : inbox.startWorker(options.worker)

  let closing: Promise<void> | undefined
  const close = () =>
    (closing ??= (async () => {
      worker?.stop()
      const closed = new Promise<void>((resolve) => server.close(() => resolve()))
      await inbox.shutdown({ graceMs })
      await closed
    })())

  if (signals) {
    for (const signal of signals) {
      process.once(signal, () => {
        void close().then(
          () => process.exit(0),
          (error: unknown) => {
            console.error(`[webhook-inbox] shutdown failed: ${String(error)}`)
            process.exit(1)
          },
        )
      })
    }
  }
  return { port, close }
}
