import { execFile } from 'node:child_process'
import { describe, expect, it } from 'vitest'

// The real CLI process, as a user runs it, with database URLs whose password ("4711/Tr0ub4dor")
// must never come back in any output.
// Each with its exit code: 1 where the CLI takes it for a server (unreachable), 2 where it refuses the argument.
const URLS = {
  'an upper-case scheme': ['POSTGRES://inbox:4711/Tr0ub4dor@127.0.0.1:1/inbox', 1],
  'a mixed-case scheme': ['Postgresql://inbox:4711/Tr0ub4dor@127.0.0.1:1/inbox', 1],
  'a leading space': [' postgres://inbox:4711/Tr0ub4dor@127.0.0.1:1/inbox', 1],
  'one slash after the scheme': ['postgres:/inbox:4711/Tr0ub4dor@127.0.0.1:1/inbox', 2],
  'a MySQL URL': ['MySQL://inbox:4711/Tr0ub4dor@127.0.0.1:1/inbox', 1],
  'a scheme that is no database server': ['redis://inbox:4711/Tr0ub4dor@127.0.0.1:1/inbox', 2],
  'a scheme that lost its colon': ['postgres//inbox:4711/Tr0ub4dor@127.0.0.1:1/inbox', 2],
  'a percent-encoded colon': ['postgres%3A//inbox:4711/Tr0ub4dor@127.0.0.1:1/inbox', 2],
} as const
const FRAGMENTS = ['Tr0ub4dor', '4711/Tr0', 'Tr0ub', 'ub4dor', '4711']

function cli(args: string[], env: Record<string, string> = {}): Promise<{ code: number; output: string }> {
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      ['--import', 'tsx', 'src/cli/index.ts', ...args],
      { env: { ...process.env, DATABASE_URL: '', WEBHOOK_INBOX_DB: '/nonexistent/webhooks.db', ...env }, timeout: 60_000 },
      (error, stdout, stderr) => resolve({ code: error ? Number(error.code ?? 1) : 0, output: `${stdout}\n${stderr}` }),
    )
  })
}

describe('webhook-inbox CLI with a database URL that holds a password', () => {
  for (const [shape, [url, exit]] of Object.entries(URLS)) {
    it(`webhook-inbox list --db <URL with ${shape}> --json exits ${exit} without echoing any fragment of the password`, async () => {
      const { code, output } = await cli(['list', '--db', url, '--json'])
      const error = JSON.parse(output.trim().split('\n').at(-1)!) as { ok: boolean; exitCode: number }
      expect([code, error.ok, error.exitCode]).toEqual([exit, false, exit])
      for (const fragment of FRAGMENTS) expect(output).not.toContain(fragment)
    })
  }

  it('webhook-inbox list --db POSTGRES://… connects to Postgres, naming host and database, not a SQLite file', async () => {
    const { code, output } = await cli(['list', '--db', URLS['an upper-case scheme'][0], '--json'])
    const { error } = JSON.parse(output.trim().split('\n').at(-1)!) as { error: string }
    expect(code).toBe(1)
    expect(error).toContain('postgres: cannot use 127.0.0.1:1')
  })

  it('webhook-inbox list with DATABASE_URL=Postgresql://… connects to Postgres and prints no fragment of the password', async () => {
    const { code, output } = await cli(['list'], { DATABASE_URL: URLS['a mixed-case scheme'][0] })
    expect(code).toBe(1)
    expect(output).toContain('postgres: cannot use 127.0.0.1:1')
    for (const fragment of FRAGMENTS) expect(output).not.toContain(fragment)
  })
})
