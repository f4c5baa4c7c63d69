// The storage floor: what SQLite alone costs per first delivery on this machine, with no
// webhook-inbox code around it. The migrated schema, better-sqlite3's own prepared
// statements, a 2 KB body, random ids and digests (as real deliveries have), the claim's
// insert and the processed mark's update each in batches of 20 per transaction, and no
// checkpoint in the measured thread (the store runs those on a thread of its own).
import Database from 'better-sqlite3'
import { createHash, randomUUID } from 'node:crypto'
import { join } from 'node:path'
import { sqliteStore } from '../src/stores/sqlite/index.js'

export async function storageFloor(dir: string, events = 20_000, batch = 20): Promise<{ cpuUsPerEvent: number }> {
  const path = join(dir, 'floor.db')
  await sqliteStore({ path }).close()
  const db = new Database(path)
  try {
    db.pragma('journal_mode = WAL')
    db.pragma('synchronous = NORMAL')
    db.pragma('wal_autocheckpoint = 0')
    const insert = db.prepare(`INSERT INTO webhook_events (provider, event_id, type, body, headers, digest, status, attempts, locked_until, received_at, updated_at)
      VALUES ('github', ?, 'issues.opened', ?, '{}', ?, 'processing', 1, ?, ?, ?) ON CONFLICT (provider, event_id) DO NOTHING RETURNING status, attempts`)
    const complete = db.prepare(`UPDATE webhook_events SET status = 'processed', processed_at = ?, locked_until = NULL, updated_at = ?
      WHERE provider = 'github' AND event_id = ? AND status = 'processing' AND attempts = 1 RETURNING id`)
    const body = JSON.stringify({ action: 'opened', padding: 'x'.repeat(1960) })
    const ids = Array.from({ length: events }, () => randomUUID())
    const digests = ids.map((id) => createHash('sha256').update(id).digest('hex'))
    const now = Date.now()
    const started = process.cpuUsage()
    for (let from = 0; from < events; from += batch) {
      const to = Math.min(events, from + batch)
      db.exec('BEGIN IMMEDIATE')
      for (let i = from; i < to; i++) insert.all(ids[i], body, digests[i], now + 60_000, now, now)
      db.exec('COMMIT')
      db.exec('BEGIN IMMEDIATE')
      for (let i = from; i < to; i++) complete.all(now, now, ids[i])
      db.exec('COMMIT')
    }
    const used = process.cpuUsage(started)
    return { cpuUsPerEvent: (used.user + used.system) / events }
  } finally {
    db.close()
  }
}
