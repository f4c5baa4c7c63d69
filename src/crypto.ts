import { utf8 } from './bytes.js'

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

/** True when any key signs `data` to `signature`. */
export async function verifyWithAnyKey(keys: readonly HmacKey[], signature: Uint8Array, data: Uint8Array) {
  for (const key of keys) {
    if (await crypto.subtle.verify('HMAC', key, signature, data)) return true
  }
  return false
}
