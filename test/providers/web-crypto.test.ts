import { expect, it, vi } from 'vitest'
import { githubCase, providerCases } from '../conformance/provider-cases.js'
import { testProvider } from '../conformance/provider.js'
import { importHmacKey } from '../../src/crypto.js'
import { tempStore } from '../node-helpers.js'

// Every provider on the path of runtimes without node:crypto (workerd without nodejs_compat,
// browsers): the workerd tests cannot take it, as their pool turns nodejs_compat on.
vi.mock('../../src/node-crypto.js', () => ({ nodeCrypto: undefined }))

it('with node:crypto out of reach, HMAC keys sign through Web Crypto and no body is hashed as it arrives', () => {
  expect(importHmacKey('secret').backend).toBe('web-crypto')
  const request = new Request('http://x/', { method: 'POST', headers: { 'x-hub-signature-256': `sha256=${'0'.repeat(64)}` } })
  expect(githubCase.create({ secret: 'secret' }).hashBody?.(request)).toBeUndefined()
})

for (const providerCase of providerCases) testProvider(providerCase, () => tempStore().store)
