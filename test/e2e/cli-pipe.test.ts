import { execFile } from 'node:child_process'
import { promisify } from 'node:util'
import { describe, expect, it } from 'vitest'
import { NOW } from '../helpers.js'
import { tempStore } from '../node-helpers.js'

const exec = promisify(execFile)

describe('webhook-inbox CLI as a process in a pipeline', () => {
  it('webhook-inbox list --json | head -n 1 prints one line and no EPIPE stack when head closes the pipe early', async () => {
    const { store, path } = tempStore()
    // Enough lines that the CLI is still writing when head has gone.
    await Promise.all(
      Array.from({ length: 3000 }, (_, i) =>
        store.claim({ provider: 'github', eventId: `gh-pipe-${i}`, type: 'push', body: '{}', headers: {} }, { now: NOW + i, leaseMs: 1000, queue: true }),
      ),
    )
    const { stdout, stderr } = await exec(
      'bash',
      ['-c', `set -o pipefail; npx tsx src/cli/index.ts list --db "$DB" --json --limit 3000 | head -n 1; echo "exit \${PIPESTATUS[0]}" >&2`],
      { env: { ...process.env, DB: path }, timeout: 30_000 },
    ).catch((error: { stdout: string; stderr: string }) => error)
    expect(stdout.trim().split('\n')).toHaveLength(1)
    expect(JSON.parse(stdout)).toMatchObject({ provider: 'github', eventId: 'gh-pipe-2999' })
    expect(stderr).not.toContain('EPIPE')
    expect(stderr.trim()).toBe('exit 0')
  }, 40_000)

  it('webhook-inbox replay with stderr not on a terminal prints its progress as lines, then says what happens next', async () => {
    const { store, path } = tempStore()
    const key = { provider: 'github', eventId: 'gh-progress' }
    await store.claim({ ...key, type: 'push', body: '{}', headers: {} }, { now: NOW, leaseMs: 1000 })
    await store.complete(key, 1, NOW)
    const { stderr } = await exec('npx', ['tsx', 'src/cli/index.ts', 'replay', 'github', 'gh-progress', '--db', path, '--wait', '1s'], { timeout: 30_000 }).catch(
      (error: { stderr: string }) => error,
    )
    const lines = stderr.trim().split('\n')
    expect(lines[0]).toMatch(/\] 0\/1$/)
    expect(lines.at(-1)).toContain('no server ran it within 1s')
  }, 40_000)
})
