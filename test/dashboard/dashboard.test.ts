import parsePrometheusTextFormat from 'parse-prometheus-text-format'
import { describe, expect, it } from 'vitest'
import { stripe } from '../../providers/index.js'
import { dashboard } from '../../src/dashboard/index.js'
import { sqliteStore } from '../../src/stores/sqlite/index.js'
import { signedDelivery } from '../helpers.js'
import { basic, csrfOf, dashboardApp } from './app.js'
import { SIGNATURES, seedEvents, XSS_ID } from './seed.js'

async function seeded() {
  const store = sqliteStore({ path: ':memory:' })
  await seedEvents(store, Date.now())
  return { store, ...dashboardApp(store) }
}

describe('dashboard() start-up', () => {
  it('dashboard() throws naming auth when auth is missing, and auth.password when it is empty', () => {
    const inbox = dashboardApp(sqliteStore({ path: ':memory:' })).inbox
    expect(() => dashboard(inbox, {} as never)).toThrow(/the auth option is required/)
    expect(() => dashboard(inbox, { auth: { username: 'ops', password: '' } })).toThrow(/auth\.password/)
    expect(() => dashboard(inbox, { auth: () => true })).toThrow(/secret option is required/)
  })
})

describe('dashboard pages', () => {
  it('GET /inbox answers 401 with WWW-Authenticate without credentials or with a wrong password', async () => {
    const { app } = await seeded()
    for (const headers of [{}, basic('ops', 'wrong'), basic('nobody', 'correct horse battery staple')]) {
      const response = await app.request('/inbox', { headers })
      expect([response.status, response.headers.get('www-authenticate')]).toEqual([401, 'Basic realm="webhook-inbox", charset="UTF-8"'])
    }
  })

  it('GET /inbox with a function auth lets in only what the function accepts', async () => {
    const { app } = dashboardApp(sqliteStore({ path: ':memory:' }), { auth: (r) => r.headers.get('x-session') === 'ok', secret: 's3cret' })
    expect((await app.request('/inbox', { headers: { 'x-session': 'ok' } })).status).toBe(200)
    expect((await app.request('/inbox', { headers: { 'x-session': 'no' } })).status).toBe(401)
  })

  it('GET /inbox sends CSP without inline script, X-Frame-Options DENY, no-referrer and no-store', async () => {
    const { app } = await seeded()
    const response = await app.request('/inbox', { headers: basic() })
    expect(response.status).toBe(200)
    expect(response.headers.get('content-security-policy')).toMatch(/script-src 'none'.*frame-ancestors 'none'/)
    expect(response.headers.get('x-frame-options')).toBe('DENY')
    expect(response.headers.get('referrer-policy')).toBe('no-referrer')
    expect(response.headers.get('cache-control')).toBe('no-store')
  })

  it('GET /inbox escapes ids, types and payloads: no tag from the XSS event reaches the HTML', async () => {
    const { app } = await seeded()
    const list = await (await app.request('/inbox', { headers: basic() })).text()
    const event = await (await app.request(`/inbox/events/stripe/${encodeURIComponent(XSS_ID)}`, { headers: basic() })).text()
    for (const page of [list, event]) {
      expect(page).not.toMatch(/<script|<img/i)
      expect(page).toContain('&lt;script&gt;')
    }
  })

  it('GET /inbox/events/:provider/:id shows signature headers as [redacted], never their values', async () => {
    const { app } = await seeded()
    const stripePage = await (await app.request('/inbox/events/stripe/evt_ok_1', { headers: basic() })).text()
    const githubPage = await (await app.request('/inbox/events/github/gh_delivery_1', { headers: basic() })).text()
    expect(stripePage).toContain('<th>stripe-signature</th><td>[redacted]</td>')
    expect(githubPage).toContain('<th>x-hub-signature-256</th><td>[redacted]</td>')
    for (const page of [stripePage, githubPage]) for (const value of Object.values(SIGNATURES)) expect(page).not.toContain(value.slice(-20))
  })

  it('GET /inbox?status=failed&provider=stripe lists only failed Stripe events, and q matches an id', async () => {
    const { app } = await seeded()
    const ids = async (query: string) => [...(await (await app.request(`/inbox?${query}`, { headers: basic() })).text()).matchAll(/<a href="\/inbox\/events\/[^/]+\/([^"]+)"/g)].map((m) => decodeURIComponent(m[1]!))
    expect(await ids('status=failed&provider=stripe')).toEqual(['evt_failed'])
    expect(await ids('provider=github')).toEqual(['gh_delivery_1'])
    expect(await ids('q=ok_2')).toEqual(['evt_ok_2'])
  })

  it('GET /inbox?status=stale lists a stale ordered event in its own colour, and its page shows its entity and version', async () => {
    const store = sqliteStore({ path: ':memory:' })
    const now = Date.now()
    const event = { provider: 'stripe', type: 'customer.subscription.updated', body: '{}', headers: {}, entityKey: 'sub_dash' }
    await store.claim({ ...event, eventId: 'evt_stale', entityVersion: 100 }, { now, leaseMs: 60_000 })
    await store.hold({ provider: 'stripe', eventId: 'evt_stale' }, 1, now)
    await store.settle({ provider: 'stripe', eventId: 'evt_stale' }, 1, 'stale', now)
    const { app } = dashboardApp(store)
    const list = await (await app.request('/inbox?status=stale', { headers: basic() })).text()
    expect(list).toContain('evt_stale')
    expect(list).toMatch(/class="s-stale"[^>]*>stale</)
    const page = await (await app.request('/inbox/events/stripe/evt_stale', { headers: basic() })).text()
    expect(page).toContain('sub_dash · version 100')
  })

  it('GET /inbox draws one stacked bar segment per minute and status of the last hour, none for older events', async () => {
    const store = sqliteStore({ path: ':memory:' })
    const now = Date.now()
    const claim = (eventId: string, at: number) => store.claim({ provider: 'stripe', eventId, type: 't', body: '{}', headers: {} }, { now: at, leaseMs: 60_000 })
    await claim('old', now - 2 * 3_600_000)
    await claim('a', now - 5 * 60_000)
    await claim('b', now)
    await store.fail({ provider: 'stripe', eventId: 'b' }, 1, { error: 'x', nextAttemptAt: null, now })
    const page = await (await dashboardApp(store).app.request('/inbox', { headers: basic() })).text()
    expect([...page.matchAll(/<title>\d\d:\d\d (\w+): (\d+)<\/title>/g)].map((m) => `${m[1]} ${m[2]}`).sort()).toEqual(['dead 1', 'processing 1'])
  })

  it('GET /inbox pages 50 at a time through 120 events with an older link, without repeats', async () => {
    const store = sqliteStore({ path: ':memory:' })
    for (let i = 0; i < 120; i++) {
      await store.claim({ provider: 'stripe', eventId: `evt_${i}`, type: 't', body: '{}', headers: {} }, { now: 1_000 + (i % 7), leaseMs: 1 })
    }
    const { app } = dashboardApp(store)
    const seen: string[] = []
    let url: string | undefined = '/inbox'
    while (url !== undefined) {
      const page: string = await (await app.request(url, { headers: basic() })).text()
      seen.push(...[...page.matchAll(/events\/stripe\/(evt_\d+)/g)].map((m) => m[1]!))
      const next: string | undefined = /<a rel="next" href="([^"]+)"/.exec(page)?.[1]
      url = next?.replace(/&amp;/g, '&')
    }
    expect(seen).toHaveLength(120)
    expect(new Set(seen).size).toBe(120)
  })

  it('POST /inbox/events/:provider/:id/replay without a CSRF token answers 403 and runs nothing', async () => {
    const { app, runs } = await seeded()
    const response = await app.request('/inbox/events/stripe/evt_ok_1/replay', { method: 'POST', headers: basic(), body: new URLSearchParams({ csrf: 'forged' }) })
    expect(response.status).toBe(403)
    expect(runs).toEqual([])
  })

  it('POST replay with the page token runs the handler again and redirects back with a notice', async () => {
    const { app, runs, store } = await seeded()
    const page = await (await app.request('/inbox/events/stripe/evt_ok_1', { headers: basic() })).text()
    const response = await app.request('/inbox/events/stripe/evt_ok_1/replay', { method: 'POST', headers: basic(), body: new URLSearchParams({ csrf: csrfOf(page)! }) })
    expect(response.status).toBe(303)
    expect(runs).toEqual(['evt_ok_1'])
    expect((await store.get({ provider: 'stripe', eventId: 'evt_ok_1' }))?.replays).toBe(1)
    const back = await (await app.request(response.headers.get('location')!, { headers: basic() })).text()
    expect(back).toContain('Replay of evt_ok_1 ran: processed.')
  })

  it('POST replay and retry of an event whose provider this instance lacks redirect with a notice and leave the row as it was', async () => {
    const { app, runs, store } = await seeded()
    const key = { provider: 'razorpay', eventId: 'pay_other_deploy' }
    const now = Date.now()
    await store.claim({ ...key, type: 'payment.captured', body: '{}', headers: {}, digest: 'd'.repeat(64) }, { now, leaseMs: 60_000 })
    await store.fail(key, 1, { error: 'boom', nextAttemptAt: null, now })
    const page = await (await app.request('/inbox/events/razorpay/pay_other_deploy', { headers: basic() })).text()
    for (const action of ['replay', 'retry']) {
      const response = await app.request(`/inbox/events/razorpay/pay_other_deploy/${action}`, { method: 'POST', headers: basic(), body: new URLSearchParams({ csrf: csrfOf(page)! }) })
      expect(response.status).toBe(303)
      const back = await (await app.request(response.headers.get('location')!, { headers: basic() })).text()
      expect(back).toContain('This instance has no provider configured for pay_other_deploy')
    }
    expect(runs).toEqual([])
    expect(await store.get(key)).toMatchObject({ status: 'dead', fence: 1, replays: 0 })
  })

  it('POST /inbox/actions/retry-dead revives every dead event and says how many', async () => {
    const { app, store } = await seeded()
    const page = await (await app.request('/inbox?status=dead', { headers: basic() })).text()
    const response = await app.request('/inbox/actions/retry-dead', { method: 'POST', headers: basic(), body: new URLSearchParams({ csrf: csrfOf(page)! }) })
    expect([response.status, response.headers.get('location')]).toEqual([303, '/inbox?status=dead&done=retry-dead.1'])
    expect((await store.get({ provider: 'stripe', eventId: 'evt_dead' }))?.status).toBe('received')
  })
})

describe('dashboard links for ids a browser would rewrite', () => {
  // A browser drops "." and ".." path segments (and their %2e spellings) before it sends the URL.
  const IDS = ['.', '..', '~.', 'a/b', '%2e', '?x', '#y', 'ünï 😀/ç']
  const unescape = (value: string) => value.replaceAll('&quot;', '"').replaceAll('&#39;', "'").replaceAll('&lt;', '<').replaceAll('&gt;', '>').replaceAll('&amp;', '&')
  const hrefs = (page: string, pattern: RegExp) => [...page.matchAll(pattern)].map((match) => unescape(match[1]!))
  const BASE = 'http://dashboard.test/inbox'

  async function failedEvents() {
    const store = sqliteStore({ path: ':memory:' })
    const now = Date.now()
    for (const eventId of IDS) {
      await store.claim({ provider: 'github', eventId, type: 'issues', body: JSON.stringify({ action: 'opened', id: eventId }), headers: {} }, { now, leaseMs: 60_000 })
      await store.fail({ provider: 'github', eventId }, 1, { error: 'Error: once', nextAttemptAt: now + 3_600_000, now })
    }
    return { store, ...dashboardApp(store) }
  }

  /** The event pages the list links to, each fetched at the URL a browser makes of its href. */
  async function pagesFromList(app: Awaited<ReturnType<typeof failedEvents>>['app']) {
    const list = await (await app.request(BASE, { headers: basic() })).text()
    const pages: { url: string; status: number; eventId: string; html: string }[] = []
    for (const href of hrefs(list, /<td><a href="([^"]+)">/g)) {
      const url = new URL(href, `${BASE}/`).href
      const response = await app.request(url, { headers: basic() })
      const html = await response.text()
      pages.push({ url, status: response.status, eventId: unescape(/<dt>event id<\/dt><dd>([^<]*)<\/dd>/.exec(html)?.[1] ?? ''), html })
    }
    return pages
  }

  it('GET /inbox links each event, whatever its id, to a URL that reaches that event page once a browser resolves it', async () => {
    const { app } = await failedEvents()
    const pages = await pagesFromList(app)
    expect(pages.map((page) => page.status)).toEqual(IDS.map(() => 200))
    expect(pages.map((page) => page.eventId).sort()).toEqual([...IDS].sort())
  })

  it('POST retry then replay from an event page run that event, whatever its id, once a browser resolves the form actions', async () => {
    const { app, runs } = await failedEvents()
    for (const page of await pagesFromList(app)) {
      const actions = hrefs(page.html, /<form class="inline" method="post" action="([^"]+)">/g).map((action) => new URL(action, page.url).href)
      const csrf = csrfOf(page.html)!
      for (const action of ['retry', 'replay']) {
        const target = actions.find((url) => url.endsWith(`/${action}`))!
        const response = await app.request(target, { method: 'POST', headers: basic(), body: new URLSearchParams({ csrf }) })
        expect(response.status).toBe(303)
        const back = await app.request(new URL(response.headers.get('location')!, target).href, { headers: basic() })
        expect(back.status).toBe(200)
      }
    }
    expect(runs.sort()).toEqual([...IDS, ...IDS].sort())
  })
})

describe('GET /inbox/metrics', () => {
  it('serves Prometheus text a parser reads: deliveries by outcome and code, runs, handler durations, store gauges', async () => {
    const { app, inbox, store } = await seeded()
    const provider = stripe({ secret: 'whsec_dashboard' })
    const body = JSON.stringify({ id: 'evt_m1', object: 'event', type: 'invoice.paid', data: { object: { id: 'in_1', object: 'invoice' } } })
    await inbox.fetch(await signedDelivery(provider, 'stripe', { body }))
    await inbox.fetch(await signedDelivery(provider, 'stripe', { body }))
    await inbox.fetch(new Request('http://inbox.test/webhooks/stripe', { method: 'POST', body }))
    const response = await app.request('/inbox/metrics', { headers: basic() })
    expect(response.headers.get('content-type')).toMatch(/^text\/plain; version=0\.0\.4/)
    const families = Object.fromEntries(parsePrometheusTextFormat(await response.text()).map((f) => [f.name, f]))
    const deliveries = families.webhook_inbox_deliveries_total!.metrics.map((m) => [m.labels?.outcome, m.labels?.code, m.value])
    expect(deliveries).toEqual(expect.arrayContaining([['processed', '', '1'], ['duplicate', '', '1'], ['rejected', 'missing_header', '1']]))
    expect(families.webhook_inbox_runs_total!.metrics).toEqual([{ labels: { provider: 'stripe', result: 'processed' }, value: '1' }])
    expect(families.webhook_inbox_handler_duration_seconds!.metrics[0]!.buckets?.['+Inf']).toBe('1')
    expect(families.webhook_inbox_dead_events!.metrics[0]!.value).toBe('1')
    expect((await app.request('/inbox/metrics')).status).toBe(401)
    await store.close()
  })
})
