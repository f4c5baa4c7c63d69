import { describe, expect, it } from 'vitest'
import { basic, csrfOf, dashboardApp } from '../dashboard/app.js'
import { SIGNATURES, seedEvents, XSS_ID } from '../dashboard/seed.js'
import { freshD1Store } from './d1.js'

// The dashboard's pages from workerd over a real D1: no browser, the HTML fetched.
describe('dashboard in workerd over D1', () => {
  it('GET /inbox lists the seeded events with counts, escaped, and filters by status', async () => {
    const store = await freshD1Store()
    await seedEvents(store, Date.now())
    const { app } = dashboardApp(store)
    expect((await app.request('/inbox')).status).toBe(401)
    const page = await (await app.request('/inbox', { headers: basic() })).text()
    expect(page).toContain('evt_ok_3')
    expect(page).toContain('<b>1</b>dead')
    expect(page).not.toMatch(/<script|<img/i)
    const failed = await (await app.request('/inbox?status=failed', { headers: basic() })).text()
    expect([...failed.matchAll(/events\/stripe\/([^"]+)"/g)].map((m) => m[1])).toEqual(['evt_failed'])
  })

  it('GET /inbox/events/:provider/:id shows the payload and redacts the signature; POST replay runs the handler', async () => {
    const store = await freshD1Store()
    await seedEvents(store, Date.now())
    const { app, runs } = dashboardApp(store)
    const xss = await (await app.request(`/inbox/events/stripe/${encodeURIComponent(XSS_ID)}`, { headers: basic() })).text()
    expect(xss).toContain('&lt;script&gt;')
    const page = await (await app.request('/inbox/events/stripe/evt_ok_1', { headers: basic() })).text()
    expect(page).toContain('[redacted]')
    expect(page).not.toContain(SIGNATURES.stripe.slice(-24))
    const replay = await app.request('/inbox/events/stripe/evt_ok_1/replay', { method: 'POST', headers: basic(), body: new URLSearchParams({ csrf: csrfOf(page)! }) })
    expect(replay.status).toBe(303)
    expect(runs).toEqual(['evt_ok_1'])
    const metrics = await (await app.request('/inbox/metrics', { headers: basic() })).text()
    expect(metrics).toContain('webhook_inbox_runs_total{provider="stripe",result="processed"} 1')
  })
})

describe('examples/worker.ts dashboard', () => {
  it('SELF.fetch(/inbox) answers 401 without credentials and the events page with them', async () => {
    const { SELF } = await import('cloudflare:test')
    await freshD1Store()
    expect((await SELF.fetch('https://worker.test/inbox')).status).toBe(401)
    const page = await SELF.fetch('https://worker.test/inbox', { headers: basic('ops', 'workers-dashboard-test') })
    expect([page.status, (await page.text()).includes('Deliveries per minute')]).toEqual([200, true])
  })
})
