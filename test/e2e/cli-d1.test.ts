// The CLI over the local D1 file that `wrangler d1 migrations apply DB --local` makes,
// as a Workers user would point it at: read, never migrated, journal mode untouched.
import Database from 'better-sqlite3'
import { drizzle } from 'drizzle-orm/better-sqlite3'
import { execFile } from 'node:child_process'
import { mkdtempSync, readdirSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { promisify } from 'node:util'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { Io } from '../../src/cli/context.js'
import { run } from '../../src/cli/run.js'
import { createSqlStore } from '../../src/stores/sqlite-core/events.js'

function io(): Io & { stdout: string[]; stderr: string[] } {
  const stdout: string[] = []
  const stderr: string[] = []
  return { stdout, stderr, out: (line) => void stdout.push(line), err: (line) => void stderr.push(line), progress: () => {}, env: {} }
}

describe('webhook-inbox CLI on a D1 file made by wrangler d1 migrations apply --local', () => {
  const dir = mkdtempSync(join(tmpdir(), 'webhook-inbox-d1-'))
  let file: string
  const state = () => {
    const db = new Database(file, { readonly: true })
    try {
      const tables = db.prepare("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name").pluck().all()
      return { journal: db.pragma('journal_mode', { simple: true }), tables }
    } finally {
      db.close()
    }
  }

  beforeAll(async () => {
    await promisify(execFile)('npx', ['wrangler', 'd1', 'migrations', 'apply', 'DB', '--local', '--persist-to', dir], {
      env: { ...process.env, CI: 'true', WRANGLER_SEND_METRICS: 'false' },
    })
    const folder = join(dir, 'v3/d1/miniflare-D1DatabaseObject')
    file = join(folder, readdirSync(folder).find((name) => name.endsWith('.sqlite') && name !== 'metadata.sqlite')!)
    // A stored event, written by the statements the Worker's d1Store() runs.
    const db = new Database(file)
    await createSqlStore(drizzle({ client: db })).claim(
      { provider: 'stripe', eventId: 'evt_d1', type: 'invoice.paid', body: '{"id":"evt_d1"}', headers: {} },
      { now: Date.now(), leaseMs: 60_000 },
    )
    db.close()
  }, 60_000)
  afterAll(() => rmSync(dir, { recursive: true, force: true }))

  it('webhook-inbox list and show --db <D1 file> exit 0 with the stored event, leaving its tables and journal mode as wrangler made them', async () => {
    const before = state()
    const listed = io()
    const shown = io()
    expect(await run(['list', '--db', file, '--json'], listed)).toBe(0)
    expect(await run(['show', 'stripe', 'evt_d1', '--db', file, '--json'], shown)).toBe(0)
    expect([listed.stderr, shown.stderr]).toEqual([[], []])
    expect(JSON.parse(listed.stdout[0]!)).toMatchObject({ provider: 'stripe', eventId: 'evt_d1', status: 'processing' })
    expect(JSON.parse(shown.stdout[0]!)).toMatchObject({ eventId: 'evt_d1', body: '{"id":"evt_d1"}' })
    expect(state()).toEqual(before)
    expect(before.tables).not.toContain('__drizzle_migrations')
  })

  it('webhook-inbox retry --db <D1 file> exits 1 naming wrangler d1 migrations apply, and migrates nothing', async () => {
    const before = state()
    const cli = io()
    expect(await run(['retry', '--db', file], cli)).toBe(1)
    expect(cli.stderr.join('\n')).toContain('wrangler d1 migrations apply')
    expect(state()).toEqual(before)
  })
})
