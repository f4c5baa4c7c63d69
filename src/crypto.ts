import { fromBase64, utf8 } from './bytes.js'

/**
 * HMAC-SHA256 over Web Crypto, for the providers that have no official
 * verifier. Verification goes through `crypto.subtle.verify`, which compares
 * in constant time, so no signature is ever compared as a string.
 */
// Named through Web Crypto itself, so Node's and workerd's type packages both fit.
export type HmacKey = Awaited<ReturnType<typeof crypto.subtle.importKey>>

export function importHmacKey(secret: string): Promise<HmacKey> {
  return crypto.subtle.importKey('raw', utf8(secret), { name: 'HMAC', hash: 'SHA-256' }, false, [
    'sign',
    'verify',
  ])
}

/** Decodes lowercase or uppercase hex; undefined for anything else. */
export function hexToBytes(hex: string): Uint8Array | undefined {
  if (hex.length % 2 !== 0 || !/^[0-9a-fA-F]*$/.test(hex)) return undefined
  const bytes = new Uint8Array(hex.length / 2)
  for (let i = 0; i < bytes.length; i++) bytes[i] = Number.parseInt(hex.slice(i * 2, i * 2 + 2), 16)
  return bytes
}

export function bytesToHex(bytes: ArrayBuffer): string {
  let hex = ''
  for (const byte of new Uint8Array(bytes)) hex += byte.toString(16).padStart(2, '0')
  return hex
}

export async function hmacHex(key: HmacKey, data: Uint8Array): Promise<string> {
  return bytesToHex(await crypto.subtle.sign('HMAC', key, data))
}

/**
 * The one secret-rotation loop for the HMAC schemes: true when any key signs `data` to
 * any of `signatures` (Paddle and Standard Webhooks send several during their own rotation).
 */
export async function verifyWithAnyKey(keys: readonly HmacKey[], signatures: Uint8Array | readonly Uint8Array[], data: Uint8Array) {
  const candidates = signatures instanceof Uint8Array ? [signatures] : signatures
  for (const key of keys) {
    for (const signature of candidates) {
      if (await crypto.subtle.verify('HMAC', key, signature, data)) return true
    }
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
