import { testToolkit } from '../conformance/testing.js'
import { freshD1Store } from './d1.js'

// The same handler tests users write under Node run unchanged in workerd.
testToolkit(freshD1Store)
