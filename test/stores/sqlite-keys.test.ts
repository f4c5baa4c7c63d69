import { testKeys } from '../conformance/keys.js'
import { tempStore } from '../node-helpers.js'

testKeys({ name: 'sqlite', create: () => tempStore().store.keys })
