import { env } from 'cloudflare:test'
import { d1Store } from '../../src/stores/d1.js'
import { testKeys } from '../conformance/keys.js'

// The keys suite the Node tests run over SQLite, here over a real D1 in workerd.
testKeys({
  name: 'd1',
  create: async () => {
    await env.DB.exec('DELETE FROM idempotency_keys')
    return d1Store(env.DB).keys
  },
})
