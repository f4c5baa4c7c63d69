import { utf8 } from './bytes.js'
import { bytesToHex } from './crypto.js'

/** The one function of node:crypto used here, typed locally so Workers' types still fit. */
interface NodeCrypto {
  createHash(algorithm: 'sha256'): { update(data: Uint8Array | string): { digest(encoding: 'hex'): string } }
}

/**
 * node:crypto when the runtime has it, found without importing any `node:*` module, so
 * this file stays Web-standard and bundles for Workers unchanged. On Node a 2 KB body
 * hashes in a few µs there; `crypto.subtle.digest` costs ~45 µs of main-thread CPU for
 * the job dispatch, the largest single cost of a first delivery in the bench profile.
 * `process.getBuiltinModule` exists from Node 20.16 (and on workerd with nodejs_compat);
 * elsewhere, Web Crypto.
 */
const nodeCrypto = (globalThis as { process?: { getBuiltinModule?: (id: string) => unknown } }).process?.getBuiltinModule?.('node:crypto') as
  | NodeCrypto
  | undefined

/** SHA-256 as lowercase hex: node:crypto where available, else Web Crypto; both hash the same UTF-8 bytes. */
export async function sha256Hex(data: Uint8Array | string): Promise<string> {
  if (nodeCrypto !== undefined) return nodeCrypto.createHash('sha256').update(data).digest('hex')
  return bytesToHex(await crypto.subtle.digest('SHA-256', typeof data === 'string' ? utf8(data) : data))
}
