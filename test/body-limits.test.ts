import { describe, expect, it } from 'vitest'
import { github } from '../providers/github.js'
import type { Provider } from '../src/provider.js'
import { bodyBudget, reserve } from '../src/body-budget.js'
import { utf8 } from '../src/bytes.js'
import { WebhookError } from '../src/errors.js'
import { createInbox } from '../src/inbox.js'
import { waitFor } from './helpers.js'
import { tempStore } from './node-helpers.js'

const SECRET = 'body-limits-secret'
const signer = github({ secret: SECRET })

/** A GitHub `issues.opened` body of exactly `size` bytes (ASCII), its own for each id: one signed body is one event. */
function issueBody(size: number, id: string) {
  const empty = JSON.stringify({ action: 'opened', issue: { node_id: id }, pad: '' })
  return JSON.stringify({ action: 'opened', issue: { node_id: id }, pad: 'x'.repeat(size - empty.length) })
}

/** Headers of a GitHub delivery of `body`; `signed: false` gives it a well-formed wrong signature. */
async function headersFor(id: string, body: string, { signed = true, declared = true } = {}) {
  const headers = new Headers(await signer.sign({ body, id, type: 'issues' }))
  if (!signed) headers.set('x-hub-signature-256', `sha256=${'00'.repeat(32)}`)
  if (declared) headers.set('content-length', String(body.length))
  return headers
}

async function delivery(id: string, size: number, options?: { signed?: boolean; declared?: boolean }) {
  const body = issueBody(size, id)
  return new Request('http://inbox.test/webhooks/github', { method: 'POST', headers: await headersFor(id, body, options), body })
}

/** A request whose body is read only when pulled, and only as `chunks` say; `pulls()` counts the reads. */
function pulledRequest(headers: Headers, chunks: Uint8Array[]) {
  let pulls = 0
  let cancelled = false
  const body = new ReadableStream<Uint8Array>(
    {
      pull(controller) {
        const chunk = chunks[pulls++]
        if (chunk === undefined) controller.close()
        else controller.enqueue(chunk)
      },
      cancel() {
        cancelled = true
      },
    },
    { highWaterMark: 0 },
  )
  const request = new Request('http://inbox.test/webhooks/github', { method: 'POST', headers, body, duplex: 'half' } as RequestInit)
  return { request, pulls: () => pulls, cancelled: () => cancelled }
}

/** A request whose body sends `first` and then nothing more, until cancelled. */
function stalledRequest(headers: Headers, first: Uint8Array) {
  let cancelled = false
  const body = new ReadableStream<Uint8Array>({
    start(controller) {
      controller.enqueue(first)
    },
    pull: () => new Promise<void>(() => {}),
    cancel() {
      cancelled = true
    },
  })
  const request = new Request('http://inbox.test/webhooks/github', { method: 'POST', headers, body, duplex: 'half' } as RequestInit)
  return { request, cancelled: () => cancelled }
}

/** GitHub whose verify() waits until `open()`: a body held between read and verified. */
function gatedGithub() {
  let open!: () => void
  const gate = new Promise<void>((resolve) => (open = resolve))
  let entered = 0
  const provider: Provider = {
    ...signer,
    // Checked whole in verify(), not as it arrives: the body is held while verify() waits.
    hashBody: undefined,
    async verify(request, rawBody) {
      entered++
      await gate
      return signer.verify(request, rawBody)
    },
  }
  return { provider, open, entered: () => entered }
}

function setup(provider: Provider, options: { maxBytesInFlight?: number; bodyTimeoutMs?: number }) {
  const { store } = tempStore()
  const inbox = createInbox({ store, providers: { github: provider }, ...options })
  const errors: string[] = []
  inbox.onError((error) => void errors.push(error.code))
  const handled: string[] = []
  inbox.onAny((event) => void handled.push(event.id))
  return { store, inbox, errors, handled }
}

async function json(response: Response) {
  return (await response.json()) as { ok: boolean; status: string; code?: string; error?: string }
}

const turn = () => new Promise((resolve) => setImmediate(resolve))

describe('maxBytesInFlight', () => {
  it('inbox.fetch() keeps a delivery waiting while an unverified body holds the budget, then answers it 503 server_busy at bodyTimeoutMs', async () => {
    const gated = gatedGithub()
    const { inbox, store } = setup(gated.provider, { maxBytesInFlight: 1500, bodyTimeoutMs: 300 })
    const unsigned = inbox.fetch(await delivery('unsigned', 1000, { signed: false }))
    await waitFor(() => gated.entered() === 1, 5_000, 'the unsigned body to reach verify()')

    const late = await delivery('late', 1000)
    const started = Date.now()
    const response = await inbox.fetch(late)
    const waited = Date.now() - started
    const body = await json(response)
    expect([response.status, body.code, response.headers.get('webhook-inbox-status')]).toEqual([503, 'server_busy', 'failed'])
    expect(body.error).toBe('[webhook-inbox] github: 1000 body bytes are being read or verified (limit 1500); deliver again later')
    // It waited for room for the whole bodyTimeoutMs, and never read its body.
    expect(waited).toBeGreaterThanOrEqual(280)
    expect([late.bodyUsed, gated.entered()]).toEqual([false, 1])

    gated.open()
    expect((await json(await unsigned)).code).toBe('signature_mismatch')
    expect(await store.list()).toEqual([])
  })

  it('inbox.fetch() lets a waiting delivery read its body once the body ahead of it fails verify(), and processes it', async () => {
    const gated = gatedGithub()
    const { inbox, handled } = setup(gated.provider, { maxBytesInFlight: 1500, bodyTimeoutMs: 10_000 })
    const unsigned = inbox.fetch(await delivery('unsigned', 1000, { signed: false }))
    await waitFor(() => gated.entered() === 1, 5_000, 'the unsigned body to reach verify()')

    const body = issueBody(1000, 'waiting')
    const waiting = pulledRequest(await headersFor('waiting', body), [utf8(body)])
    const answer = inbox.fetch(waiting.request)
    // Reserving and reading involve no I/O: had it not waited, it would have read by now.
    await turn()
    await turn()
    expect(waiting.pulls()).toBe(0)

    gated.open()
    const rejected = await unsigned
    expect([rejected.status, (await json(rejected)).code]).toEqual([401, 'signature_mismatch'])
    const response = await answer
    expect([response.status, response.headers.get('webhook-inbox-status')]).toEqual([200, 'processed'])
    expect(handled).toEqual(['waiting'])
  })

  it('inbox.fetch() counts a body without Content-Length as it streams, and answers 503 server_busy when the chunk past the budget finds no room', async () => {
    const gated = gatedGithub()
    const { inbox } = setup(gated.provider, { maxBytesInFlight: 1500, bodyTimeoutMs: 300 })
    const unsigned = inbox.fetch(await delivery('unsigned', 1000, { signed: false }))
    await waitFor(() => gated.entered() === 1, 5_000, 'the unsigned body to reach verify()')

    const body = issueBody(1000, 'streamed')
    const streamed = pulledRequest(await headersFor('streamed', body, { declared: false }), [utf8(body.slice(0, 500)), utf8(body.slice(500))])
    const response = await inbox.fetch(streamed.request)
    const answer = await json(response)
    expect([response.status, answer.code]).toEqual([503, 'server_busy'])
    expect(answer.error).toContain('1500 body bytes are being read or verified (limit 1500)')
    // The first 500 bytes fit beside the 1000 in flight; the next 500 did not.
    expect(streamed.pulls()).toBe(2)
    await waitFor(() => streamed.cancelled(), 2_000, 'the streamed body to be cancelled')

    gated.open()
    expect((await unsigned).status).toBe(401)
  })

  it('inbox.fetch() reads a body larger than maxBytesInFlight when nothing else is in flight, declared or streamed', async () => {
    const { inbox, handled } = setup(signer, { maxBytesInFlight: 1000 })
    const declared = await inbox.fetch(await delivery('declared', 5000))
    expect(declared.status).toBe(200)

    const body = issueBody(5000, 'streamed')
    const chunks = Array.from({ length: 5 }, (_, i) => utf8(body.slice(i * 1000, (i + 1) * 1000)))
    const streamed = pulledRequest(await headersFor('streamed', body, { declared: false }), chunks)
    expect((await inbox.fetch(streamed.request)).status).toBe(200)
    expect(handled).toEqual(['declared', 'streamed'])
  })

  it('inbox.fetch() processes two bodies without Content-Length that each hold part of maxBytesInFlight and need more, long before bodyTimeoutMs', async () => {
    const KiB = 1024
    const { inbox, handled } = setup(signer, { maxBytesInFlight: 1024 * KiB, bodyTimeoutMs: 10_000 })
    // Each stream's k-th chunk waits until the other has been asked for its k-th, so both
    // hold about half the budget when the ninth chunks (past it together) arrive.
    const pulled = [0, 0]
    const lockstep = (self: number, chunks: Uint8Array[]) => {
      const body = new ReadableStream<Uint8Array>(
        {
          async pull(controller) {
            const k = ++pulled[self]!
            await waitFor(() => pulled[1 - self]! >= Math.min(k, 9), 5_000, `the other body to be asked for chunk ${k}`)
            const chunk = chunks[k - 1]
            if (chunk === undefined) controller.close()
            else controller.enqueue(chunk)
          },
        },
        { highWaterMark: 0 },
      )
      return body
    }
    const requests = await Promise.all(
      ['left', 'right'].map(async (id, self) => {
        const text = issueBody(700 * KiB, id)
        const chunks = Array.from({ length: Math.ceil(text.length / (64 * KiB)) }, (_, i) => utf8(text.slice(i * 64 * KiB, (i + 1) * 64 * KiB)))
        const init = { method: 'POST', headers: await headersFor(id, text, { declared: false }), body: lockstep(self, chunks), duplex: 'half' }
        return new Request('http://inbox.test/webhooks/github', init as RequestInit)
      }),
    )
    const started = Date.now()
    const responses = await Promise.all(requests.map((request) => inbox.fetch(request)))
    const elapsed = Date.now() - started
    const answers = await Promise.all(responses.map(async (response) => [response.status, (await json(response)).status]))
    expect(answers).toEqual([
      [200, 'processed'],
      [200, 'processed'],
    ])
    expect(handled.sort()).toEqual(['left', 'right'])
    expect(elapsed).toBeLessThan(5_000)
  })

  it('inbox.fetch() streams a declared 2 MiB body: 200 processed and stored byte for byte when signed, 401 signature_mismatch when not', async () => {
    const { inbox, store, handled } = setup(github({ secret: ['next-secret', SECRET] }), {})
    const signed = await inbox.fetch(await delivery('signed', 2 * 1024 * 1024))
    const unsigned = await inbox.fetch(await delivery('unsigned', 2 * 1024 * 1024, { signed: false }))
    expect([signed.status, signed.headers.get('webhook-inbox-status')]).toEqual([200, 'processed'])
    expect([unsigned.status, (await json(unsigned)).code]).toEqual([401, 'signature_mismatch'])
    expect(handled).toEqual(['signed'])
    expect((await store.get({ provider: 'github', eventId: 'signed' }))?.body).toBe(issueBody(2 * 1024 * 1024, 'signed'))
  })

  it("inbox.fetch() answers 401 signature_mismatch when a provider's hashBody() check throws a plain Error, and stores nothing", async () => {
    const throwing: Provider = {
      ...signer,
      hashBody: () => ({
        update() {},
        check() {
          throw new TypeError('unexpected header shape')
        },
      }),
    }
    const { inbox, store, handled } = setup(throwing, {})
    const response = await inbox.fetch(await delivery('odd', 1000))
    const answer = await json(response)
    expect([response.status, answer.code]).toEqual([401, 'signature_mismatch'])
    expect(answer.error).toBe('[webhook-inbox] github: signature could not be verified (TypeError: unexpected header shape)')
    expect([await store.list(), handled]).toEqual([[], []])
  })

  it('createInbox() rejects a maxBytesInFlight or bodyTimeoutMs that is not a whole number from 1', () => {
    const { store } = tempStore()
    expect(() => createInbox({ store, providers: { github: signer }, maxBytesInFlight: 0 })).toThrow(/maxBytesInFlight must be a whole number from 1/)
    expect(() => createInbox({ store, providers: { github: signer }, bodyTimeoutMs: 1.5 })).toThrow(/bodyTimeoutMs must be a whole number from 1 to 2147483647/)
    expect(() => createInbox({ store, providers: { github: signer }, bodyTimeoutMs: 2 ** 31 })).toThrow(/bodyTimeoutMs/)
  })
})

describe('bodyTimeoutMs', () => {
  it('inbox.fetch() answers 408 body_timeout with Connection: close to a streamed body that stops arriving, and cancels its reader', async () => {
    const { inbox, store, handled } = setup(signer, { bodyTimeoutMs: 100 })
    const body = issueBody(1000, 'stalled')
    const stalled = stalledRequest(await headersFor('stalled', body, { declared: false }), utf8(body.slice(0, 10)))
    const response = await inbox.fetch(stalled.request)
    const answer = await json(response)
    expect([response.status, answer.code, response.headers.get('connection')]).toEqual([408, 'body_timeout', 'close'])
    expect(answer.error).toBe('[webhook-inbox] github: body did not arrive within 100 ms (10 bytes arrived)')
    await waitFor(() => stalled.cancelled(), 2_000, 'the body reader to be cancelled')
    expect([await store.list(), handled]).toEqual([[], []])
  })

  it('inbox.fetch() answers 408 body_timeout to a declared body that stops arriving, and gives its share of maxBytesInFlight back', async () => {
    const { inbox, handled } = setup(signer, { bodyTimeoutMs: 100, maxBytesInFlight: 1000 })
    const body = issueBody(1000, 'stalled')
    const stalled = stalledRequest(await headersFor('stalled', body), utf8(body.slice(0, 10)))
    const response = await inbox.fetch(stalled.request)
    expect([response.status, (await json(response)).code]).toEqual([408, 'body_timeout'])
    // Had the stalled body kept its 1000 bytes, this one would wait and be answered 503.
    const next = await inbox.fetch(await delivery('next', 1000))
    expect(next.status).toBe(200)
    expect(handled).toEqual(['next'])
  })
})

describe('bodyBudget()', () => {
  const never = new Promise<void>(() => {})

  it('reserve().grow() serves waiting deliveries in arrival order: a small one does not pass a large one ahead of it', async () => {
    const budget = bodyBudget(100)
    const first = reserve(budget, 'github')
    await first.grow(60, never)
    const granted: string[] = []
    void reserve(budget, 'github').grow(80, never).then(() => granted.push('large'))
    void reserve(budget, 'github').grow(10, never).then(() => granted.push('small'))
    await turn()
    expect([granted, budget.inFlight]).toEqual([[], 60])
    first.release()
    await turn()
    expect([granted, budget.inFlight]).toEqual([['large', 'small'], 90])
  })

  it('reserve().grow() lets a delivery already reading grow ahead of new ones that wait', async () => {
    const budget = bodyBudget(100)
    const reading = reserve(budget, 'github')
    await reading.grow(50, never)
    let newcomer = false
    void reserve(budget, 'github').grow(60, never).then(() => (newcomer = true))
    await reading.grow(80, never)
    await turn()
    expect([budget.inFlight, newcomer]).toEqual([80, false])
  })

  it('reserve().grow() lets the last of two readers that both need more read on past the budget, and the other once it releases', async () => {
    const budget = bodyBudget(100)
    const first = reserve(budget, 'github')
    const second = reserve(budget, 'github')
    await first.grow(50, never)
    await second.grow(40, never)
    let firstGrew = false
    void first.grow(70, never).then(() => (firstGrew = true))
    await turn()
    expect([firstGrew, budget.inFlight]).toEqual([false, 90])
    // Waiting too would leave nobody to free room: it goes on, the first stays paused.
    await second.grow(60, never)
    expect([firstGrew, budget.inFlight]).toEqual([false, 110])
    second.release()
    await turn()
    expect([firstGrew, budget.inFlight]).toEqual([true, 70])
  })

  it('reserve().grow() rejects server_busy when its wait expires, and lets the deliveries behind it through', async () => {
    const budget = bodyBudget(100)
    await reserve(budget, 'github').grow(50, never)
    let expire!: () => void
    const expired = new Promise<void>((resolve) => (expire = resolve))
    const large = reserve(budget, 'github').grow(80, expired)
    let small = false
    void reserve(budget, 'github').grow(20, never).then(() => (small = true))
    await turn()
    expect(small).toBe(false)
    expire()
    const error = await large.then(() => undefined, (e: unknown) => e)
    expect(error).toBeInstanceOf(WebhookError)
    expect([(error as WebhookError).code, (error as WebhookError).status]).toEqual(['server_busy', 503])
    await turn()
    expect([small, budget.inFlight, budget.waiting.length]).toEqual([true, 70, 0])
  })

  it('reserve().grow() caps a reservation at the whole budget, and release() gives it back once however often it is called', async () => {
    const budget = bodyBudget(100)
    const huge = reserve(budget, 'github')
    await huge.grow(500, never)
    expect(budget.inFlight).toBe(100)
    huge.release()
    huge.release()
    expect(budget.inFlight).toBe(0)
  })
})
