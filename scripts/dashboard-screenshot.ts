// Run by hand (`npx tsx scripts/dashboard-screenshot.ts`) to refresh docs/dashboard.png
// for the README: an hour of made-up deliveries in a throwaway store, shot in Chromium.
import { serve } from '@hono/node-server'
import type { AddressInfo } from 'node:net'
import { chromium } from 'playwright-core'
import { sqliteStore } from '../src/stores/sqlite/index.js'
import { CREDENTIALS, dashboardApp } from '../test/dashboard/app.js'
import { seedEvents } from '../test/dashboard/seed.js'

const now = Date.now()
const store = sqliteStore({ path: ':memory:' })
await seedEvents(store, now)
for (let i = 0; i < 900; i++) {
  // A busier hour's second half, and a few failures in the minutes an API was down.
  const at = now - Math.floor(3_600_000 * Math.sqrt(Math.random()))
  const eventId = `evt_${(at + i).toString(36)}`
  const type = ['payment_intent.succeeded', 'invoice.paid', 'customer.created'][i % 3]!
  await store.claim({ provider: i % 4 === 0 ? 'github' : 'stripe', eventId, type, body: '{}', headers: {} }, { now: at, leaseMs: 60_000 })
  const key = { provider: i % 4 === 0 ? 'github' : 'stripe', eventId }
  if (i % 37 === 0) await store.fail(key, 1, { error: 'Error: connect ECONNREFUSED 10.0.0.7:5432', nextAttemptAt: now + 60_000, now: at })
  else await store.complete(key, 1, at + 40)
}
const { app } = dashboardApp(store)
const server = serve({ fetch: app.fetch, port: 0, hostname: '127.0.0.1' })
await new Promise((resolve) => server.once('listening', resolve))
const browser = await chromium.launch({ executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium', args: ['--no-sandbox'] })
try {
  const page = await browser.newPage({ httpCredentials: CREDENTIALS, viewport: { width: 1240, height: 900 } })
  await page.goto(`http://127.0.0.1:${(server.address() as AddressInfo).port}/inbox`)
  await page.screenshot({ path: 'docs/dashboard.png' })
  console.log('wrote docs/dashboard.png')
} finally {
  await browser.close()
  server.close()
  await store.close()
}
