import { afterEach, describe, expect, it } from 'vitest'
import { type Server, startServer } from './processes.js'

const MiB = 1024 * 1024

/** A GitHub `issues` body of exactly `size` bytes. */
function largeBody(size: number) {
  const body = new Uint8Array(size).fill(0x78)
  body.set(new TextEncoder().encode('{"action":"opened","issue":{"node_id":"large"},"pad":"'))
  body.set(new TextEncoder().encode('"}'), size - 2)
  return body
}

describe('a serve() process and large unsigned bodies', () => {
  let server: Server | undefined

  afterEach(() => {
    if (server?.child.exitCode === null) server.child.kill('SIGKILL')
  })

  it('serve() answers eight concurrent 25 MiB GitHub deliveries with a wrong signature 401 signature_mismatch, its peak RSS growing by under 150 MiB', async () => {
    server = await startServer({}, 'test/e2e/fixtures/memory-server.ts')
    const base = `http://127.0.0.1:${server.port}`
    const memory = async () => (await (await fetch(`${base}/memory`)).json()) as { rss: number; peak: number }
    const body = largeBody(25 * MiB)
    const before = await memory()
    const answers = await Promise.all(
      Array.from({ length: 8 }, async (_, i) => {
        const headers = {
          'content-type': 'application/json',
          'x-github-delivery': `large-${i}`,
          'x-github-event': 'issues',
          'x-hub-signature-256': `sha256=${'00'.repeat(32)}`,
        }
        const response = await fetch(`${base}/webhooks/github`, { method: 'POST', headers, body, signal: AbortSignal.timeout(50_000) })
        return [response.status, ((await response.json()) as { code: string }).code]
      }),
    )
    const after = await memory()
    expect(answers).toEqual(Array.from({ length: 8 }, () => [401, 'signature_mismatch']))
    // The budget lets two 25 MiB bodies be read at once: 50 MiB, plus what the runtime holds around them.
    expect(Math.round((after.peak - before.rss) / MiB)).toBeLessThan(150)
  }, 60_000)
})
