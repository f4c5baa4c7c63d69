import { testHmacBackends } from '../hmac-backends.js'

// The test pool runs workerd with nodejs_compat, so HMAC goes through its node:crypto here;
// Web Crypto, which a Worker without that flag signs with, is held to the same vector.
testHmacBackends('node:crypto')
