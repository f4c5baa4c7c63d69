// vitest globalSetup: the Postgres and MySQL suites need a server each. Without one, npm
// test skips them with one line; CI (CI=true) fails instead, so they can never go missing there.
const SERVERS = [
  { name: 'Postgres', variable: 'WEBHOOK_INBOX_TEST_PG_URL', script: '.ci/postgres.sh' },
  { name: 'MySQL', variable: 'WEBHOOK_INBOX_TEST_MYSQL_URL', script: '.ci/mariadb.sh' },
] as const

export default function setup() {
  for (const { name, variable, script } of SERVERS) {
    if (process.env[variable]) continue
    if (process.env.CI === 'true') throw new Error(`CI=true but ${variable} is not set: run npm test through ${script} run`)
    console.log(`${name} suites skipped: run them with \`bash ${script} run npm test\` (or set ${variable})`)
  }
}
