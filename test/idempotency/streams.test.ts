import { serve, type ServerType } from '@hono/node-server'
import { Hono } from 'hono'
import { afterEach, describe, expect, it } from 'vitest'
import { idempotency } from '../../src/idempotency/index.js'
import { tempStore } from '../node-helpers.js'

const CHUNKS = 5
const GAP_MS = 100

/** A stream of CHUNKS lines, GAP_MS apart, as a slow report or server-sent events would be. */
function slowStream() {
  let sent = 0
  return new ReadableStream<Uint8Array>({
    async pull(controller) {
      if (sent > 0) await new Promise((resolve) => setTimeout(resolve, GAP_MS))
      controller.enqueue(new TextEncoder().encode(`data: ${sent}\n\n`))
      if (++sent === CHUNKS) controller.close()
    },
  })
}

let server: ServerType | undefined
afterEach(async () => {
  await new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve()))
  server = undefined
})

describe('idempotency() middleware with a streamed answer, behind @hono/node-server on 127.0.0.1', () => {
  it('sends the first chunk of a streamed answer before the stream ends, then replays the whole stream without running again', async () => {
    const { store } = tempStore()
    let runs = 0
    const app = new Hono()
    app.post('/reports', idempotency({ store }), () => {
      runs++
      return new Response(slowStream(), { status: 201, headers: { 'content-type': 'text/event-stream' } })
    })
    const port = await new Promise<number>((resolve) => (server = serve({ fetch: app.fetch, hostname: '127.0.0.1', port: 0 }, (info) => resolve(info.port))))
    const post = () => fetch(`http://127.0.0.1:${port}/reports`, { method: 'POST', body: '{}', headers: { 'idempotency-key': 'stream-1' } })

    const sent = Date.now()
    const first = await post()
    const reader = first.body!.getReader()
    const chunks: string[] = []
    const decoder = new TextDecoder()
    const firstChunk = await reader.read()
    const firstChunkMs = Date.now() - sent
    chunks.push(decoder.decode(firstChunk.value))
    for (let reads = 0; reads < 100; reads++) {
      const { done, value } = await reader.read()
      if (done) break
      chunks.push(decoder.decode(value))
    }
    const endMs = Date.now() - sent
    expect(chunks.join('')).toBe(Array.from({ length: CHUNKS }, (_, i) => `data: ${i}\n\n`).join(''))
    // The stream takes (CHUNKS - 1) * GAP_MS = 400 ms; held back, its first chunk would come with the last.
    expect(endMs).toBeGreaterThanOrEqual((CHUNKS - 1) * GAP_MS - 20)
    expect(firstChunkMs).toBeLessThan(endMs - 2 * GAP_MS)

    const replay = await post()
    expect([replay.status, replay.headers.get('idempotent-replayed'), await replay.text()]).toEqual([201, 'true', chunks.join('')])
    expect(runs).toBe(1)
  })
})

describe('idempotency() middleware with a streamed answer that does not end', () => {
  /** An app whose answer sends one chunk, then fails or waits (`hold`) until it is cancelled. */
  function streamingApp(ending: 'fail' | 'hold') {
    const { store } = tempStore()
    const state = { runs: 0, cancelled: 0 }
    const app = new Hono()
    app.post('/feed', idempotency({ store }), () => {
      state.runs++
      let pulls = 0
      const body = new ReadableStream<Uint8Array>({
        pull(controller) {
          if (pulls++ === 0) return controller.enqueue(new TextEncoder().encode('data: 0\n\n'))
          if (ending === 'fail') controller.error(new Error('feed broke'))
          return new Promise<void>(() => {})
        },
        cancel() {
          state.cancelled++
        },
      })
      return new Response(body, { status: 200, headers: { 'content-type': 'text/event-stream' } })
    })
    const post = () => app.request('/feed', { method: 'POST', body: '{}', headers: { 'idempotency-key': 'feed-1' } })
    return { post, state }
  }

  it('releases the key when the streamed answer fails midway, so the retry runs again', async () => {
    const { post, state } = streamingApp('fail')
    await expect((await post()).text()).rejects.toThrow('feed broke')
    const retry = await post()
    expect([retry.status, retry.headers.get('idempotent-replayed')]).toEqual([200, null])
    expect(state.runs).toBe(2)
  })

  it('keeps the key completed when the client cancels an endless stream: the handler\'s stream is cancelled and a retry gets 410 idempotency_response_not_kept', async () => {
    const { post, state } = streamingApp('hold')
    const reader = (await post()).body!.getReader()
    expect(new TextDecoder().decode((await reader.read()).value)).toBe('data: 0\n\n')
    await reader.cancel()
    expect(state.cancelled).toBe(1)
    const retry = await post()
    expect([retry.status, ((await retry.json()) as { code: string }).code]).toEqual([410, 'idempotency_response_not_kept'])
    expect(state.runs).toBe(1)
  })
})
