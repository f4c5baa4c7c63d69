// webhook-inbox/testing/vitest: the provider conformance suite, on its own subpath because
// it imports vitest (an optional peer dependency); webhook-inbox/testing does not.
export { type ProviderCase, testProvider } from './provider-suite.js'
