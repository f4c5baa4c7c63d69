// The dashboard's events page over 100,000 stored events, in-process (app.request): the
// time the store's queries and the rendering take, without a socket in the way.
import Database from 'better-sqlite3'
import { join } from 'node:path'
import { Hono } from 'hono'
import { github, stripe } from '../providers/index.js'
import { dashboard } from '../src/dashboard/index.js'
import { createInbox } from '../src/inbox.js'
import { sqliteStore } from '../src/stores/sqlite/index.js'

const ROWS = Number(process.env.BENCH_DASHBOARD_ROWS ?? 100_000)
const REPEATS = 30
const STATUSES = ['processed', 'processed', 'processed', 'processed', 'failed', 'dead'] as const

/** Rows written straight into the table in one transaction: filling it is not what is measured. */
function fill(path: string, now: number) {
  const db = new Database(path)
  const insert = db.prepare(
    `INSERT INTO webhook_events (provider, event_id, type, body, digest, headers, status, attempts, received_at, updated_at, last_error)
     VALUES (?, ?, ?, '{}', ?, '{}', ?, 1, ?, ?, ?)`,
  )
  db.transaction(() => {
    for (let i = 0; i < ROWS; i++) {
      const status = STATUSES[i % STATUSES.length]!
      const at = now - (ROWS - i) * 30
      insert.run(i % 3 === 0 ? 'github' : 'stripe', `evt_${i}`, i % 2 ? 'invoice.paid' : 'issues.opened', `d${i}`, status, at, at, status === 'processed' ? null : 'Error: boom')
    }
  })()
  db.close()
}

export async function dashboardBench(dir: string) {
  const path = join(dir, 'dashboard.db')
  const now = Date.now()
  sqliteStore({ path }).close() // applies the migrations
  fill(path, now)
  const store = sqliteStore({ path })
  const inbox = createInbox({ store, providers: { stripe: stripe({ secret: 'whsec_b' }), github: github({ secret: 'b' }) } })
  const auth = { username: 'ops', password: 'bench' }
  const app = new Hono().route('/inbox', dashboard(inbox, { auth }))
  // statsTtlMs 0: every request pays for the counts and the chart, as the first in each 2 s does.
  const cold = new Hono().route('/inbox', dashboard(inbox, { auth, statsTtlMs: 0 }))
  const headers = { authorization: `Basic ${btoa('ops:bench')}` }
  const deep = `/inbox?before=${now - (ROWS / 2) * 30}.stripe.evt_${ROWS / 2 + 1}`
  const views = { 'events page': '/inbox', 'status=dead': '/inbox?status=dead', 'provider=github': '/inbox?provider=github', 'q=evt_9999': '/inbox?q=evt_9999', 'page at row 50,000': deep }
  const rows: { view: string; p50: number; p95: number }[] = []
  const runs: [string, Hono, string][] = Object.entries(views).map(([view, url]) => [view, app, url])
  runs.push(['events page, counts and chart uncached', cold, '/inbox'])
  for (const [view, server, url] of runs) {
    const times: number[] = []
    for (let i = 0; i < REPEATS; i++) {
      const started = performance.now()
      const response = await server.request(url, { headers })
      await response.text()
      if (response.status !== 200) throw new Error(`dashboard bench: ${url} answered ${response.status}`)
      times.push(performance.now() - started)
    }
    times.sort((a, b) => a - b)
    rows.push({ view, p50: times[Math.floor(REPEATS / 2)]!, p95: times[Math.floor(REPEATS * 0.95)]! })
  }
  await store.close()
  return { rows: ROWS, views: rows }
}
