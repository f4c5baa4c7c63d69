import { describe, expect, it } from 'vitest'
import type { Provider, SignInput } from '../provider.js'
import { createInbox } from '../inbox.js'
import type { Store } from '../store.js'
import { NOW } from './now.js'

/** How the provider conformance suite drives one adapter: yours, or a built-in one. */
export interface ProviderCase {
  /** The provider's name, as its `name` and its key in `createInbox({ providers })`. */
  name: string
  create(options: { secret: string | string[]; now?: () => number; tolerance?: number }): Provider
  /**
   * A valid delivery of event `id`, and the type the provider must extract from it.
   * `timestamp` (s) is the signing time, for schemes that sign it inside the body (Linear);
   * the suite also passes it to `sign()` as `SignInput.timestamp`.
   */
  delivery(id: string, timestamp: number): { input: SignInput; type: string }
  /** A correctly signed delivery that carries no event id (in the body, or headers to drop). */
  withoutId(): { input: SignInput; dropHeaders?: string[] }
  /** The header that carries the signature (or token). */
  signatureHeader: string
  /** The scheme signs a timestamp that must lie within `tolerance` of now. */
  hasTimestamp: boolean
  /**
   * The header carries a shared token, not a signature of the body (GitLab): a changed body
   * is not detected, and any wrong value is a mismatch rather than malformed.
   */
  token?: boolean
  /** The current and previous secrets to test with, for schemes that need a format (`whsec_<base64>`). */
  secrets?: { current: string; previous: string }
}


async function signedDelivery(provider: Provider, name: string, input: SignInput) {
  const headers = await provider.sign(input)
  return new Request(`http://inbox.test/webhooks/${name}`, { method: 'POST', headers, body: input.body })
}

/**
 * What every provider adapter must do, run against each built-in one in Node and workerd,
 * and exported (`webhook-inbox/testing/vitest`) so a custom adapter is proven the same way.
 * Each rejection is checked end to end through `inbox.fetch()` on a real store: the right
 * status and code, no handler call, no row.
 *
 * @example
 * testProvider({ name: 'acme', create: (o) => acme(o), … }, () => sqliteStore({ path: ':memory:' }))
 */
export function testProvider(c: ProviderCase, createStore: () => Store | Promise<Store>) {
  const clock = () => NOW
  const SECRET = c.secrets?.current ?? 'whsec_conformance_new'
  const OLD_SECRET = c.secrets?.previous ?? 'whsec_conformance_old'
  const seconds = NOW / 1000
  /** A valid delivery signed at `at` seconds (now by default). */
  const deliver = (id: string, at = seconds) => {
    const { input, type } = c.delivery(id, at)
    return { input: { ...input, timestamp: at }, type }
  }

  async function send(provider: Provider, request: Request) {
    const store = await createStore()
    const calls: string[] = []
    const inbox = createInbox({ store, providers: { [c.name]: provider }, now: clock })
    inbox.onAny((event) => {
      calls.push(event.id)
    })
    inbox.onError(() => {})
    const response = await inbox.fetch(request)
    const body = (await response.json()) as { code?: string; status: string }
    return { status: response.status, code: body.code, body, calls, rows: await store.list() }
  }

  async function expectRejected(provider: Provider, request: Request, status: number, code: string) {
    const result = await send(provider, request)
    expect({ status: result.status, code: result.code }).toEqual({ status, code })
    expect(result.calls).toEqual([])
    expect(result.rows).toEqual([])
  }

  describe(`${c.name} provider conformance`, () => {
    const provider = c.create({ secret: SECRET, now: clock })

    it(`${c.name}().verify() returns the event id and type of a signed delivery`, async () => {
      const { input, type } = deliver('evt_conf_1')
      const request = await signedDelivery(provider, c.name, input)
      const verified = await provider.verify(request, new TextEncoder().encode(input.body))
      expect(verified).toMatchObject({ id: 'evt_conf_1', type })
    })

    it(`inbox.fetch() stores and processes a signed ${c.name} delivery once, answering 200`, async () => {
      const result = await send(provider, await signedDelivery(provider, c.name, deliver('evt_conf_2').input))
      expect(result.status).toBe(200)
      expect(result.calls).toEqual(['evt_conf_2'])
      expect(result.rows.map((r) => [r.eventId, r.status])).toEqual([['evt_conf_2', 'processed']])
    })

    it.skipIf(c.token)(`inbox.fetch() answers 401 signature_mismatch to a ${c.name} body with one flipped byte`, async () => {
      const { input } = deliver('evt_conf_3')
      const signed = await signedDelivery(provider, c.name, input)
      const bytes = new TextEncoder().encode(input.body)
      const middle = Math.floor(bytes.length / 2)
      bytes[middle] = bytes[middle]! ^ 0x01
      await expectRejected(provider, new Request(signed, { body: bytes }), 401, 'signature_mismatch')
    })

    it(`inbox.fetch() answers 401 signature_mismatch to a ${c.name} delivery signed with another secret`, async () => {
      const other = c.create({ secret: OLD_SECRET, now: clock })
      await expectRejected(provider, await signedDelivery(other, c.name, deliver('evt_conf_4').input), 401, 'signature_mismatch')
    })

    it(`${c.name}({ secret: [new, old] }) accepts a delivery signed with the old secret (rotation)`, async () => {
      const old = c.create({ secret: OLD_SECRET, now: clock })
      const rotated = c.create({ secret: [SECRET, OLD_SECRET], now: clock })
      const result = await send(rotated, await signedDelivery(old, c.name, deliver('evt_conf_5').input))
      expect(result.status).toBe(200)
      expect(result.calls).toEqual(['evt_conf_5'])
    })

    it(`inbox.fetch() answers 400 missing_header to a ${c.name} delivery without ${c.signatureHeader}`, async () => {
      const signed = await signedDelivery(provider, c.name, deliver('evt_conf_6').input)
      const headers = new Headers(signed.headers)
      headers.delete(c.signatureHeader)
      await expectRejected(provider, new Request(signed, { headers }), 400, 'missing_header')
    })

    // A token has no format to check: a garbled one is simply the wrong token.
    const [garbledStatus, garbledCode] = c.token ? [401, 'signature_mismatch'] : [400, 'malformed_header']
    for (const garbage of ['garbage', 'sha256=', 'v0=zz', 't=1,v1=', '=', 'g'.repeat(64)]) {
      it(`inbox.fetch() answers ${garbledStatus} ${garbledCode} to ${c.signatureHeader}: ${JSON.stringify(garbage)}`, async () => {
        const signed = await signedDelivery(provider, c.name, deliver('evt_conf_7').input)
        const headers = new Headers(signed.headers)
        headers.set(c.signatureHeader, garbage)
        await expectRejected(provider, new Request(signed, { headers }), garbledStatus, garbledCode)
      })
    }

    it(`inbox.fetch() answers 400 invalid_body to a correctly signed ${c.name} body that is not JSON`, async () => {
      const { input } = deliver('evt_conf_8')
      await expectRejected(provider, await signedDelivery(provider, c.name, { ...input, body: '{"id": "evt_conf_8", tru' }), 400, 'invalid_body')
    })

    it(`inbox.fetch() answers 400 invalid_body to an empty ${c.name} body`, async () => {
      const { input } = deliver('evt_conf_9')
      const signed = await signedDelivery(provider, c.name, input)
      await expectRejected(provider, new Request(signed, { body: '' }), 400, 'invalid_body')
    })

    it(`inbox.fetch() answers 400 missing_event_id to a signed ${c.name} delivery without an event id`, async () => {
      const { input, dropHeaders = [] } = c.withoutId()
      const signed = await signedDelivery(provider, c.name, input)
      const headers = new Headers(signed.headers)
      for (const name of dropHeaders) headers.delete(name)
      await expectRejected(provider, new Request(signed, { headers }), 400, 'missing_event_id')
    })

    it(`inbox.fetch() verifies a leading BOM as signed bytes, then answers 400 invalid_body since JSON has none`, async () => {
      const { input } = deliver('evt_conf_bom')
      await expectRejected(provider, await signedDelivery(provider, c.name, { ...input, body: `\uFEFF${input.body}` }), 400, 'invalid_body')
    })

    it(`${c.name}() throws a TypeError for an empty secret or a list holding a non-string`, () => {
      expect(() => c.create({ secret: '' })).toThrow(TypeError)
      expect(() => c.create({ secret: [] })).toThrow(TypeError)
      expect(() => c.create({ secret: ['ok', undefined as unknown as string] })).toThrow(TypeError)
    })

    it(`${c.name}().sign() output round-trips through verify() for a UTF-8 body`, async () => {
      const { input } = deliver('evt_conf_utf8')
      // Into the outermost object: the last brace, whatever nests before it.
      const body = input.body.replace(/}\s*$/, ',"note":"Grüße, 東京 🚀"}')
      const request = await signedDelivery(provider, c.name, { ...input, body })
      await expect(provider.verify(request, new TextEncoder().encode(body))).resolves.toMatchObject({ id: 'evt_conf_utf8' })
    })

    describe.skipIf(!c.hasTimestamp)(`${c.name} timestamp tolerance`, () => {
      const strict = c.create({ secret: SECRET, now: clock, tolerance: 300 })

      it(`inbox.fetch() answers 401 timestamp_too_old to a ${c.name} signature 301 s old`, async () => {
        const input = deliver('evt_conf_10', seconds - 301).input
        await expectRejected(strict, await signedDelivery(strict, c.name, input), 401, 'timestamp_too_old')
      })

      it(`inbox.fetch() answers 401 timestamp_in_future to a ${c.name} signature 301 s ahead`, async () => {
        const input = deliver('evt_conf_11', seconds + 301).input
        await expectRejected(strict, await signedDelivery(strict, c.name, input), 401, 'timestamp_in_future')
      })

      for (const offset of [-300, 300]) {
        it(`inbox.fetch() accepts a ${c.name} signature exactly ${offset} s from now (the limit)`, async () => {
          const input = deliver(`evt_conf_edge${offset}`, seconds + offset).input
          const result = await send(strict, await signedDelivery(strict, c.name, input))
          expect(result.status).toBe(200)
        })
      }

      it(`${c.name}() throws a TypeError for a tolerance that is NaN or negative`, () => {
        expect(() => c.create({ secret: SECRET, tolerance: Number.NaN })).toThrow(TypeError)
        expect(() => c.create({ secret: SECRET, tolerance: -1 })).toThrow(TypeError)
      })

      it(`${c.name}().verify() names the measured age and the tolerance in its message`, async () => {
        const input = deliver('evt_conf_12', seconds - 612).input
        const request = await signedDelivery(strict, c.name, input)
        await expect(strict.verify(request, new TextEncoder().encode(input.body))).rejects.toThrow(
          `[webhook-inbox] ${c.name}: signature timestamp is 612 s old (tolerance 300 s)`,
        )
      })
    })
  })
}
