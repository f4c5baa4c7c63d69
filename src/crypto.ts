import { fromBase64, utf8 } from './bytes.js'
import { nodeCrypto } from './node-crypto.js'

/**
 * HMAC-SHA256 for the providers that sign with it: through node:crypto where the runtime
 * has it, since on Node `crypto.subtle.sign` costs ~30 µs of CPU per call (a job handed to
 * another thread) against ~3 µs for `createHmac` over a 2 KB body; through Web Crypto
 * elsewhere (workerd without nodejs_compat, browsers). A MAC is compared with
 * `timingSafeEqual`, in constant time, never as a string.
 */
// Named through Web Crypto itself, so Node's and workerd's type packages both fit.
type WebCryptoKey = Awaited<ReturnType<typeof crypto.subtle.importKey>>

/** One signing secret, made once per secret (not per delivery) by `importHmacKey`. */
export interface HmacKey {
  /** Which implementation signs: the tests check that Node's is node:crypto. */
  readonly backend: 'node:crypto' | 'web-crypto'
  /** The MAC of `data` (a string is signed as its UTF-8 bytes). */
  sign(data: Uint8Array | string): Promise<Uint8Array>
}

/**
 * `webCrypto: true` signs through Web Crypto even where node:crypto exists, so the tests
 * run on Node the path that runtimes without it take.
 */
export function importHmacKey(secret: string | Uint8Array, { webCrypto = false } = {}): HmacKey {
  const bytes = typeof secret === 'string' ? utf8(secret) : secret
  const node = webCrypto ? undefined : nodeCrypto
  if (node !== undefined) {
    return { backend: 'node:crypto', sign: async (data) => node.createHmac('sha256', bytes).update(data).digest() }
  }
  // Imported on first use and then kept: importing is most of a Web Crypto HMAC's cost.
  let key: Promise<WebCryptoKey> | undefined
  return {
    backend: 'web-crypto',
    async sign(data) {
      key ??= crypto.subtle.importKey('raw', bytes, { name: 'HMAC', hash: 'SHA-256' }, false, ['sign'])
      return new Uint8Array(await crypto.subtle.sign('HMAC', await key, typeof data === 'string' ? utf8(data) : data))
    },
  }
}

/** Decodes lowercase or uppercase hex; undefined for anything else. */
export function hexToBytes(hex: string): Uint8Array | undefined {
  if (hex.length % 2 !== 0 || !/^[0-9a-fA-F]*$/.test(hex)) return undefined
  const bytes = new Uint8Array(hex.length / 2)
  for (let i = 0; i < bytes.length; i++) bytes[i] = Number.parseInt(hex.slice(i * 2, i * 2 + 2), 16)
  return bytes
}

export function bytesToHex(bytes: ArrayBuffer | Uint8Array): string {
  let hex = ''
  for (const byte of new Uint8Array(bytes)) hex += byte.toString(16).padStart(2, '0')
  return hex
}

export async function hmacHex(key: HmacKey, data: Uint8Array | string): Promise<string> {
  return bytesToHex(await key.sign(data))
}

/**
 * The one secret-rotation loop for the HMAC schemes: true when any key signs `data` to
 * any of `signatures` (Paddle and Standard Webhooks send several during their own rotation).
 * Each key signs once, whatever the number of signatures.
 */
export async function verifyWithAnyKey(keys: readonly HmacKey[], signatures: Uint8Array | readonly Uint8Array[], data: Uint8Array) {
  const candidates = signatures instanceof Uint8Array ? [signatures] : signatures
  for (const key of keys) {
    const mac = await key.sign(data)
    if (candidates.some((signature) => timingSafeEqual(mac, signature))) return true
  }
  return false
}

/** Compares two byte strings in time that depends only on their lengths. */
export function timingSafeEqual(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false
  let difference = 0
  for (let i = 0; i < a.length; i++) difference |= a[i]! ^ b[i]!
  return difference === 0
}

/** Decodes standard base64 of exactly `bytes` bytes; undefined for anything else. */
export function base64ToBytes(text: string, bytes: number): Uint8Array | undefined {
  if (text.length !== Math.ceil(bytes / 3) * 4 || !/^[A-Za-z0-9+/]+={0,2}$/.test(text)) return undefined
  const decoded = fromBase64(text)
  return decoded.length === bytes ? decoded : undefined
}
