// docs/providers.md's "Write your own provider" example: a complete adapter for a made-up sender.
// In your own project, import from 'webhook-inbox' and 'webhook-inbox/providers'.
import { WebhookError, type WebhookErrorCode } from '../src/index.js'
import type { Provider, ProviderOptions } from '../providers/index.js'

export interface AcmeEvent { id: string; kind: string; data: Record<string, unknown> }

/** Acme signs `X-Acme-Signature: <hex HMAC-SHA256 of the body>`; the id and kind are in the body. */
export function acme(options: ProviderOptions): Provider<Record<string, AcmeEvent>> {
  const secrets = Array.isArray(options.secret) ? options.secret : [options.secret]
  if (secrets.length === 0 || secrets.some((s) => typeof s !== 'string' || s === '')) {
    throw new TypeError('[webhook-inbox] acme: every signing secret must be a non-empty string')
  }
  const keys = Promise.all(secrets.map((s) => crypto.subtle.importKey('raw', new TextEncoder().encode(s), { name: 'HMAC', hash: 'SHA-256' }, false, ['sign', 'verify'])))
  const fail = (code: WebhookErrorCode, message: string) => new WebhookError(code, `acme: ${message}`) // "[webhook-inbox] acme: …"
  const parse = (body: string): AcmeEvent => {
    try {
      return JSON.parse(body) as AcmeEvent
    } catch {
      throw fail('invalid_body', 'body is not JSON')
    }
  }
  return {
    name: 'acme',
    maxBodyBytes: options.maxBodyBytes ?? 1024 * 1024,
    ackDeadlineMs: options.ackDeadlineMs ?? 5_000, // what Acme documents as its timeout
    storedHeaders: [],
    parse,
    async verify(request, rawBody) {
      const header = request.headers.get('x-acme-signature')
      if (!header) throw fail('missing_header', 'x-acme-signature header is missing')
      if (!/^[0-9a-f]{64}$/.test(header)) throw fail('malformed_header', 'x-acme-signature is not 64 hex characters')
      if (rawBody.length === 0) throw fail('invalid_body', 'body is empty')
      const signature = Uint8Array.from(header.match(/../g)!, (pair) => Number.parseInt(pair, 16))
      let ok = false
      for (const key of await keys) ok ||= await crypto.subtle.verify('HMAC', key, signature, rawBody) // constant time
      if (!ok) throw fail('signature_mismatch', 'x-acme-signature does not match the body under any configured secret')
      const payload = parse(new TextDecoder('utf-8', { fatal: true, ignoreBOM: true }).decode(rawBody))
      if (typeof payload.id !== 'string' || payload.id === '') throw fail('missing_event_id', 'body.id is missing')
      if (typeof payload.kind !== 'string') throw fail('invalid_body', 'body.kind is missing')
      return { id: payload.id, type: payload.kind, payload }
    },
    async sign({ body }) {
      const [key] = await keys
      const mac = new Uint8Array(await crypto.subtle.sign('HMAC', key!, new TextEncoder().encode(body)))
      return { 'content-type': 'application/json', 'x-acme-signature': Array.from(mac, (b) => b.toString(16).padStart(2, '0')).join('') }
    },
  }
}
