import { concatBytes, utf8 } from '../bytes.js'
import { sha256Hex } from '../digest.js'

/** SHA-256 (hex) over method, path with query, and raw body: what makes a retry "the same request". */
export function fingerprint(method: string, path: string, body: Uint8Array): Promise<string> {
  // A path cannot contain a raw newline, so the line ends where the body starts.
  return sha256Hex(concatBytes(utf8(`${method} ${path}\n`), body))
}
