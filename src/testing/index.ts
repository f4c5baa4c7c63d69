export { DEVELOPMENT_SECRETS } from './development-secrets.js'
export { fixture, fixtureNames, type FixtureName, isProviderName, type ProviderName } from './fixture.js'
export { signedRequest, type SignedRequestOptions } from './signed-request.js'
