import { providerCases } from '../conformance/provider-cases.js'
import { testProvider } from '../conformance/provider.js'
import { testStore } from '../../src/testing/vitest.js'
import { freshD1Store } from './d1.js'

// The suites the Node tests run, here in workerd: its node:crypto (the pool turns nodejs_compat
// on; test/providers/web-crypto.test.ts runs the Web Crypto path), the `stripe` worker build
// (constructEventAsync), the Octokit web build, and D1.
testStore({ name: 'd1', create: freshD1Store })
for (const providerCase of providerCases) testProvider(providerCase, freshD1Store)
