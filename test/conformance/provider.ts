// The suite itself ships to users as webhook-inbox/testing/vitest.
export { type ProviderCase, testProvider } from '../../src/testing/provider-suite.js'
