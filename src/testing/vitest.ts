// webhook-inbox/testing/vitest: the conformance suites, on their own subpath because
// they import vitest (an optional peer dependency); webhook-inbox/testing does not.
export { type ProviderCase, testProvider } from './provider-suite.js'
export { type StoreCase, testStore } from './store-suite.js'
export { type KeysCase, testKeys } from './keys-suite.js'
export { type TransactionsCase, type UserTable, testTransactions } from './transactions-suite.js'
