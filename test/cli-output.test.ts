// What the CLI prints when things go wrong, and how it cuts long values.
import { describe, expect, it } from 'vitest'
import type { Io } from '../src/cli/context.js'
import { clip } from '../src/cli/format.js'
import { run } from '../src/cli/run.js'

function io(): Io & { stdout: string[]; stderr: string[] } {
  const stdout: string[] = []
  const stderr: string[] = []
  return { stdout, stderr, out: (line) => void stdout.push(line), err: (line) => void stderr.push(line), progress: () => {}, env: {} }
}

describe('webhook-inbox CLI output', () => {
  it('webhook-inbox list --bogus exits 2 with one line naming the option and "(try --help)"', async () => {
    const cli = io()
    expect(await run(['list', '--bogus'], cli)).toBe(2)
    expect(cli.stderr).toEqual(["webhook-inbox list: Unknown option '--bogus' (try --help)"])
  })

  it('webhook-inbox list --json exits 2 with the error as one JSON object on stderr when the database is missing', async () => {
    const cli = io()
    expect(await run(['list', '--db', 'no-such-file.db', '--json'], cli)).toBe(2)
    expect(cli.stderr.map((line) => JSON.parse(line))).toEqual([
      { ok: false, command: 'list', exitCode: 2, error: expect.stringContaining('no database at no-such-file.db') },
    ])
  })

  it('clip() ends a cut LAST ERROR with an ellipsis and keeps a short one whole', () => {
    expect(clip('x'.repeat(61), 60)).toBe(`${'x'.repeat(59)}…`)
    expect(clip('x'.repeat(60), 60)).toBe('x'.repeat(60))
  })

  it('webhook-inbox show --help prints examples', async () => {
    const cli = io()
    expect(await run(['show', '--help'], cli)).toBe(0)
    expect(cli.stdout.join('\n')).toContain('Examples:\n  webhook-inbox show stripe')
  })
})
