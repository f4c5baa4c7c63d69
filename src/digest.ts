import { utf8 } from './bytes.js'
import { bytesToHex } from './crypto.js'

/** SHA-256 as lowercase hex, over Web Crypto so Node and workerd share it. */
export async function sha256Hex(data: Uint8Array | string): Promise<string> {
  return bytesToHex(await crypto.subtle.digest('SHA-256', typeof data === 'string' ? utf8(data) : data))
}
