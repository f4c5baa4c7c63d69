import { afterEach, expect, it, vi } from 'vitest'
import { importHmacKey } from '../src/crypto.js'
import { testHmacBackends } from './hmac-backends.js'

// Node has node:crypto, so every provider's HMAC goes through it (the Web Crypto path is
// forced for the whole provider suite in test/providers/web-crypto.test.ts).
testHmacBackends('node:crypto')

afterEach(() => vi.restoreAllMocks())

it('a Web Crypto key is imported once per secret, on its first use, not on every delivery', async () => {
  const importKey = vi.spyOn(crypto.subtle, 'importKey')
  const key = importHmacKey('secret', { webCrypto: true })
  expect(importKey).not.toHaveBeenCalled()
  for (let i = 0; i < 3; i++) await key.sign(`delivery ${i}`)
  expect(importKey).toHaveBeenCalledTimes(1)
})
