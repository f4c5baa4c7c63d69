// The storage floor (issue #27): the least a receiver with webhook-inbox's guarantees must
// write per first delivery, measured with better-sqlite3 alone and no webhook-inbox code.
// The floor is a minimal schema of its own: one row holding the body, UNIQUE(provider,
// event_id) and UNIQUE(digest) over the digest's 32 raw bytes, and the status, fence and
// lease columns the claim and the processed mark need. Beside it the same two statements
// run on the project's migrated schema, so the cost of that schema (its six indexes,
// three of them covering ones that move on every status change, the digest in hex) is a
// figure of its own rather than hidden in the floor. Both: WAL, synchronous=NORMAL, no
// checkpoint in the measured thread (the store runs those on a thread of its own), a
// 2 KB body, random ids and digests (as real deliveries have, so index inserts land all
// over their B-trees), the claim's insert and the processed mark's update each in
// batches of 20 per transaction (group commit's batch under the bench's 32 connections).
// A third figure adds what e writes besides: the handler's success record, a row of
// webhook_handler_runs in a batch of its own between the two (see run-event.ts).
import Database from 'better-sqlite3'
import { randomBytes, randomUUID } from 'node:crypto'
import { mkdtempSync, rmSync, statSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { pathToFileURL } from 'node:url'
import { sqliteStore } from '../src/stores/sqlite/index.js'

export interface FloorFigure {
  /** CPU (user + system) of this process per event while it writes, µs: no other thread of it works meanwhile. */
  cpuUsPerEvent: number
  /** Bytes the WAL grew by per event: what a checkpoint later copies into the database file. */
  walBytesPerEvent: number
}

export interface Floor {
  /** The minimal schema: the floor the goals count against. */
  minimal: FloorFigure
  /** The same two statements on the project's schema, as migrated by sqliteStore(). */
  project: FloorFigure
  /** The project's schema with one handler's success record between them, as a first delivery writes. */
  recorded: FloorFigure
}

/** One schema under test: its two statements, prepared, and one event's parameters for each. */
interface Prepared {
  insert: Database.Statement
  /** The handler's success record (its one parameter: the event id), committed between the claim and the processed mark. */
  record?: Database.Statement
  complete: Database.Statement
  params(id: string, digest: Buffer): [insert: unknown[], complete: unknown[]]
}

interface Schema {
  /** Makes the tables in a new file at `path`. */
  create(path: string): Promise<void>
  prepare(db: Database.Database, now: number): Prepared
}

const BODY = JSON.stringify({ action: 'opened', padding: 'x'.repeat(2010) }) // 2 KB

const MINIMAL: Schema = {
  // `fence` is the lease's token (the project's `attempts`) and `lease_ends_at` its end:
  // the processed mark checks the one and clears the other.
  async create(path) {
    const db = new Database(path)
    db.exec(`CREATE TABLE events (
      id INTEGER PRIMARY KEY,
      provider TEXT NOT NULL,
      event_id TEXT NOT NULL,
      body TEXT NOT NULL,
      digest BLOB NOT NULL,
      status TEXT NOT NULL,
      fence INTEGER NOT NULL,
      lease_ends_at INTEGER,
      UNIQUE (provider, event_id),
      UNIQUE (digest)
    )`)
    db.close()
  },
  prepare: (db, now) => ({
    insert: db.prepare(`INSERT INTO events (provider, event_id, body, digest, status, fence, lease_ends_at)
      VALUES ('github', ?, ?, ?, 'processing', 1, ?) ON CONFLICT DO NOTHING RETURNING id`),
    complete: db.prepare(`UPDATE events SET status = 'processed', lease_ends_at = NULL
      WHERE provider = 'github' AND event_id = ? AND status = 'processing' AND fence = 1 RETURNING id`),
    params: (id, digest) => [[id, BODY, digest, now + 60_000], [id]],
  }),
}

const PROJECT: Schema = {
  create: (path) => sqliteStore({ path }).close(),
  // The store's claim and processed mark (src/stores/sqlite-core/events.ts), written by hand.
  prepare: (db, now) => projectStatements(db, now),
}

const RECORDED: Schema = {
  create: PROJECT.create,
  // markHandled's INSERT … SELECT from the held row, over the processed mark's parameters (the id).
  prepare: (db, now) => ({
    ...projectStatements(db, now),
    record: db.prepare(`INSERT INTO webhook_handler_runs (provider, event_id, handler, generation, completed_at)
      SELECT provider, event_id, 'any#1', 0, ${now} FROM webhook_events
      WHERE provider = 'github' AND event_id = ? AND status = 'processing' AND attempts = 1
      ON CONFLICT DO UPDATE SET completed_at = completed_at RETURNING handler`),
  }),
}

function projectStatements(db: Database.Database, now: number): Prepared {
  return {
    insert: db.prepare(`INSERT INTO webhook_events (provider, event_id, type, body, headers, digest, status, attempts, locked_until, received_at, updated_at)
      VALUES ('github', ?, 'issues.opened', ?, '{}', ?, 'processing', 1, ?, ?, ?) ON CONFLICT DO NOTHING RETURNING id`),
    complete: db.prepare(`UPDATE webhook_events SET status = 'processed', processed_at = ?, locked_until = NULL, updated_at = ?
      WHERE provider = 'github' AND event_id = ? AND status = 'processing' AND attempts = 1 RETURNING id`),
    params: (id, digest) => [[id, BODY, digest.toString('hex'), now + 60_000, now, now], [now, now, id]],
  }
}

/** Writes `events` first deliveries into a fresh database at `path` and measures them. */
async function measureOne(path: string, schema: Schema, events: number, batch: number): Promise<FloorFigure> {
  await schema.create(path)
  const db = new Database(path)
  try {
    db.pragma('journal_mode = WAL')
    db.pragma('synchronous = NORMAL')
    db.pragma('wal_autocheckpoint = 0')
    const { insert, record, complete, params } = schema.prepare(db, Date.now())
    const ids = Array.from({ length: events }, () => randomUUID())
    const bound = ids.map((id) => params(id, randomBytes(32)))
    // An empty WAL to start from: with autocheckpoint off it then only grows, by the frames this run commits.
    db.pragma('wal_checkpoint(TRUNCATE)')
    const started = process.cpuUsage()
    for (let from = 0; from < events; from += batch) {
      const to = Math.min(events, from + batch)
      db.exec('BEGIN IMMEDIATE')
      for (let i = from; i < to; i++) insert.all(...bound[i]![0])
      db.exec('COMMIT')
      if (record) {
        db.exec('BEGIN IMMEDIATE')
        for (let i = from; i < to; i++) record.all(ids[i])
        db.exec('COMMIT')
      }
      db.exec('BEGIN IMMEDIATE')
      for (let i = from; i < to; i++) complete.all(...bound[i]![1])
      db.exec('COMMIT')
    }
    const used = process.cpuUsage(started)
    return { cpuUsPerEvent: (used.user + used.system) / events, walBytesPerEvent: statSync(`${path}-wal`).size / events }
  } finally {
    db.close()
    // The WAL of a run is tens of MB; the next round starts on a fresh file anyway.
    for (const file of [path, `${path}-wal`, `${path}-shm`]) rmSync(file, { force: true })
  }
}

const median = (values: number[]) => [...values].sort((x, y) => x - y)[Math.floor(values.length / 2)]!

/**
 * The floor and the project's schema, each measured `rounds` times on a fresh file,
 * interleaved so a busy moment of the machine does not land on one of them only; medians.
 */
export async function storageFloor(dir: string, { events = 20_000, batch = 20, rounds = 3 } = {}): Promise<Floor> {
  const runs: Record<keyof Floor, FloorFigure[]> = { minimal: [], project: [], recorded: [] }
  for (let round = 0; round < rounds; round++) {
    runs.minimal.push(await measureOne(join(dir, `floor-minimal-${round}.db`), MINIMAL, events, batch))
    runs.project.push(await measureOne(join(dir, `floor-project-${round}.db`), PROJECT, events, batch))
    runs.recorded.push(await measureOne(join(dir, `floor-recorded-${round}.db`), RECORDED, events, batch))
  }
  const summary = (figures: FloorFigure[]): FloorFigure => ({
    cpuUsPerEvent: median(figures.map((f) => f.cpuUsPerEvent)),
    walBytesPerEvent: median(figures.map((f) => f.walBytesPerEvent)),
  })
  return { minimal: summary(runs.minimal), project: summary(runs.project), recorded: summary(runs.recorded) }
}

// `npx tsx bench/floor.ts`: the floor alone, without the whole bench.
if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const dir = mkdtempSync(join(tmpdir(), 'webhook-inbox-floor-'))
  try {
    console.log(await storageFloor(dir))
  } finally {
    rmSync(dir, { recursive: true, force: true })
  }
}
