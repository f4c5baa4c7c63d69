import { utf8 } from './bytes.js'
import { bytesToHex } from './crypto.js'
import { nodeCrypto } from './node-crypto.js'

/**
 * SHA-256 as lowercase hex: node:crypto where available, else Web Crypto; both hash the
 * same UTF-8 bytes. On Node a 2 KB body hashes in a few µs there; `crypto.subtle.digest`
 * costs ~45 µs of main-thread CPU for the job dispatch, the largest single cost of a
 * first delivery in the bench profile.
 */
export async function sha256Hex(data: Uint8Array | string): Promise<string> {
  if (nodeCrypto !== undefined) return nodeCrypto.createHash('sha256').update(data).digest('hex')
  return bytesToHex(await crypto.subtle.digest('SHA-256', typeof data === 'string' ? utf8(data) : data))
}
