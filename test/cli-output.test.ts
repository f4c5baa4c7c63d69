// What the CLI prints when things go wrong, and how it cuts long values.
import { describe, expect, it } from 'vitest'
import type { Io } from '../src/cli/context.js'
import { clip } from '../src/cli/format.js'
import { run } from '../src/cli/run.js'
import { NOW } from './helpers.js'
import { tempStore } from './node-helpers.js'

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

  it('webhook-inbox show prints runs, replays, the last error and times in UTC, not the fencing columns', async () => {
    const { store, path } = tempStore()
    const key = { provider: 'github', eventId: 'gh-show' }
    await store.claim({ ...key, type: 'issues.opened', body: '{"action":"opened"}', headers: {} }, { now: NOW, leaseMs: 1000 })
    await store.complete(key, 1, NOW + 5)
    await store.requeue(key, { now: NOW + 10, reason: 'replay' })
    await store.take(key, { now: NOW + 20, leaseMs: 1000 })
    await store.fail(key, 2, { error: 'Error: downstream refused', nextAttemptAt: NOW + 60_000, now: NOW + 30 })
    const cli = io()
    expect(await run(['show', 'github', 'gh-show', '--db', path], cli)).toBe(0)
    const text = cli.stdout.join('\n')
    expect(text).toContain('runs           2 in all, 1 since the last replay or retry')
    expect(text).toContain('replays        1')
    expect(text).toContain('last error     Error: downstream refused')
    expect(text).toContain('received       2026-01-01 00:00:00 UTC')
    expect(text).not.toMatch(/fenceBase|leaseEndsAt/)
  })
})
