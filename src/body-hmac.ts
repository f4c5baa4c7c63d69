import type { BodyHash } from './provider.js'
import { timingSafeEqual } from './crypto.js'
import { nodeCrypto } from './node-crypto.js'

/**
 * A signature check for schemes whose signature is an HMAC-SHA256 of the body alone,
 * fed chunk by chunk as the body arrives: a large unsigned body is refused when its last
 * byte is, without a second pass over it or joining its chunks. `expected(length)` reads
 * the request's signature (throwing for a missing or malformed one); `mismatch()` is the
 * error when no secret's MAC equals it. The outcome is computed once and kept.
 * Undefined where the runtime has no node:crypto: Web Crypto has no incremental HMAC, and
 * the provider then verifies the whole body at once.
 */
export function bodyHmac(secrets: readonly string[], expected: (length: number) => Uint8Array, mismatch: () => Error): BodyHash | undefined {
  if (nodeCrypto === undefined) return undefined
  const { createHmac } = nodeCrypto
  const macs = secrets.map((secret) => createHmac('sha256', secret))
  let length = 0
  let outcome: { error?: unknown } | undefined
  const check = () => {
    const signature = expected(length)
    if (!macs.some((mac) => timingSafeEqual(mac.digest(), signature))) throw mismatch()
  }
  return {
    update(chunk) {
      length += chunk.length
      for (const mac of macs) mac.update(chunk)
    },
    check() {
      if (outcome === undefined) {
        try {
          check()
          outcome = {}
        } catch (error) {
          outcome = { error }
        }
      }
      if ('error' in outcome) throw outcome.error
    },
  }
}
