import { describe, expect, it } from 'vitest'
import { hmacHex, type HmacKey, importHmacKey, verifyWithAnyKey } from '../src/crypto.js'

// RFC 4231, test case 2: HMAC-SHA256 of "what do ya want for nothing?" under the key "Jefe".
const RFC4231 = { key: 'Jefe', data: 'what do ya want for nothing?', mac: '5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843' }

const bytes = (text: string) => new TextEncoder().encode(text)
const hex = (text: string) => Uint8Array.from(text.match(/../g)!, (pair) => Number.parseInt(pair, 16))

/**
 * The HMAC of `src/crypto.ts` on both of its backends, run in Node and in workerd: the default
 * one, which must be `expected` there, and Web Crypto forced, the path of runtimes without
 * node:crypto. Both are held to the same published vector, so they agree with each other.
 */
export function testHmacBackends(expected: HmacKey['backend']) {
  it(`importHmacKey() signs through ${expected} here by default, and through Web Crypto when asked`, () => {
    expect(importHmacKey('secret').backend).toBe(expected)
    expect(importHmacKey('secret', { webCrypto: true }).backend).toBe('web-crypto')
  })

  for (const webCrypto of [false, true]) {
    describe(webCrypto ? 'Web Crypto forced' : 'the default backend', () => {
      const key = (secret: string | Uint8Array) => importHmacKey(secret, { webCrypto })

      it('hmacHex() gives RFC 4231 test case 2 from a string key and data, and from their bytes', async () => {
        expect(await hmacHex(key(RFC4231.key), RFC4231.data)).toBe(RFC4231.mac)
        expect(await hmacHex(key(bytes(RFC4231.key)), bytes(RFC4231.data))).toBe(RFC4231.mac)
      })

      it('verifyWithAnyKey() finds the one key of three and the one signature of two that match, and is false when none does', async () => {
        const keys = [key('old'), key(RFC4231.key), key('older')]
        const wrong = hex('00'.repeat(32))
        const data = bytes(RFC4231.data)
        expect(await verifyWithAnyKey(keys, [wrong, hex(RFC4231.mac)], data)).toBe(true)
        expect(await verifyWithAnyKey(keys, hex(RFC4231.mac), data)).toBe(true)
        expect(await verifyWithAnyKey(keys, [wrong], data)).toBe(false)
        expect(await verifyWithAnyKey([key('old')], hex(RFC4231.mac), data)).toBe(false)
        // A truncated MAC is a different length, never a prefix match.
        expect(await verifyWithAnyKey(keys, hex(RFC4231.mac).subarray(0, 16), data)).toBe(false)
      })
    })
  }
}
