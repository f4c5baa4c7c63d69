import type { Server } from 'node:http'

/** Every bench server prints its port the same way, so bench/run.ts can start any of them. */
export function announce(server: Server) {
  server.listen(0, '127.0.0.1', () => {
    const address = server.address()
    console.log(`port ${typeof address === 'object' && address ? address.port : 0}`)
  })
  // Exiting on its own is what makes `node --cpu-prof` write the profile (bench/profile.ts).
  process.once('SIGTERM', () => process.exit(0))
}

export const SECRET = 'bench-secret'
