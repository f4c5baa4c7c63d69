import { testToolkit } from './conformance/testing.js'
import { tempStore } from './node-helpers.js'

testToolkit(() => tempStore().store)
