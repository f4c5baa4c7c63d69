// examples/bun.ts and examples/deno.ts as a user runs them, under the bun and deno binaries the
// devDependencies install. Neither runtime can load better-sqlite3 (a V8 addon, not Node-API),
// so both run on the server stores, each on an empty database of its own.
import { execFile } from 'node:child_process'
import { join } from 'node:path'
import { promisify } from 'node:util'
import { describe, expect, it } from 'vitest'
import { DEVELOPMENT_SECRETS } from '../../src/testing/development-secrets.js'
import { fixture, signedRequest } from '../../src/testing/index.js'
import { waitFor } from '../helpers.js'
import { createDatabase, MYSQL_URL } from '../mysql-helpers.js'
import { onCleanup } from '../node-helpers.js'
import { createPostgresDatabase, PG_URL } from '../postgres-helpers.js'
import { startServer } from './processes.js'

const bin = (name: string) => join('node_modules', '.bin', name)

const RUNTIMES = [
  { name: 'bun', command: [bin('bun')] },
  // What examples/deno.ts's header tells users to run.
  { name: 'deno', command: [bin('deno'), 'run', '--allow-net', '--allow-env', '--allow-read', '--sloppy-imports'] },
]

// Plain output, and no background request for Deno's release list: tests reach 127.0.0.1 only.
const QUIET = { NO_COLOR: '1', DENO_NO_UPDATE_CHECK: '1' }

const STORES = [
  { name: 'postgres', url: PG_URL, database: () => createPostgresDatabase('runtime') },
  { name: 'mysql', url: MYSQL_URL, database: async () => (await createDatabase('runtime')).url },
]

async function deliverIssue(port: number, id: string) {
  const sample = { ...fixture('github', 'issues.opened'), webhook_inbox_test_run: id }
  const options = { secret: DEVELOPMENT_SECRETS.github.value, id, type: 'issues', url: `http://127.0.0.1:${port}/webhooks/github` }
  const response = await fetch(await signedRequest('github', sample, options))
  return [response.status, response.headers.get('webhook-inbox-status')]
}

for (const store of STORES) {
  describe.skipIf(!store.url)(`examples/bun.ts and examples/deno.ts on ${store.name}`, () => {
    for (const runtime of RUNTIMES) {
      it(`${runtime.name} examples/${runtime.name}.ts answers a signed GitHub issue 200 processed, prints its handler's line, answers the redelivery 200 duplicate, and exits 0 on SIGTERM`, async () => {
        const env = { PORT: '0', DATABASE_URL: await store.database(), GITHUB_WEBHOOK_SECRET: DEVELOPMENT_SECRETS.github.value, ...QUIET }
        const server = await startServer(env, `examples/${runtime.name}.ts`, runtime.command)
        onCleanup(() => void (server.child.exitCode === null && server.child.kill('SIGKILL')))
        expect(server.output()).toContain(`${runtime.name} listening on http://127.0.0.1:${server.port}/webhooks/:provider (store: ${store.name} from DATABASE_URL)`)

        const id = `${runtime.name}-${store.name}-issue`
        expect(await deliverIssue(server.port, id)).toEqual([200, 'processed'])
        await waitFor(() => server.output().includes(`github ${id}: issue #1 opened in `), 5_000, "the handler's line")
        expect(await deliverIssue(server.port, id)).toEqual([200, 'duplicate'])

        server.child.kill('SIGTERM')
        const exit = await Promise.race([server.exited, new Promise((resolve) => setTimeout(resolve, 10_000, 'still running 10 s after SIGTERM'))])
        expect(exit).toBe(0)
      }, 30_000)
    }
  })
}

describe('examples/bun.ts and examples/deno.ts without a server store', () => {
  for (const runtime of RUNTIMES) {
    it(`${runtime.name} examples/${runtime.name}.ts exits 1 with one line saying it cannot load better-sqlite3 when DATABASE_URL is unset`, async () => {
      const [command, ...flags] = runtime.command
      const env = { ...process.env, PORT: '0', DATABASE_URL: '', ...QUIET }
      const failed = await promisify(execFile)(command!, [...flags, `examples/${runtime.name}.ts`], { env, timeout: 20_000 }).catch((error: Error) => error)
      const { code, stderr } = failed as { code?: number; stderr?: string }
      const runtimeName = runtime.name === 'bun' ? 'Bun' : 'Deno'
      expect([code, stderr?.trim().split('\n')]).toEqual([1, [`${runtimeName} cannot load better-sqlite3, the SQLite store's driver: set DATABASE_URL to a postgres:// or mysql:// URL`]])
    }, 30_000)
  }
})
