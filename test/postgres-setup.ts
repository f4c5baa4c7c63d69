// vitest globalSetup: the Postgres suites need a server. Without one, npm test skips
// them with this one line; CI (CI=true) fails instead, so they can never go missing there.
export default function setup() {
  if (process.env.WEBHOOK_INBOX_TEST_PG_URL) return
  if (process.env.CI === 'true') throw new Error('CI=true but WEBHOOK_INBOX_TEST_PG_URL is not set: run npm test through .ci/postgres.sh run')
  console.log('Postgres suites skipped: run them with `bash .ci/postgres.sh run npm test` (or set WEBHOOK_INBOX_TEST_PG_URL)')
}
