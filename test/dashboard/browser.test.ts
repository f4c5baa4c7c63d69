import { serve, type ServerType } from '@hono/node-server'
import { existsSync } from 'node:fs'
import type { AddressInfo } from 'node:net'
import { type Browser, chromium, type Page } from 'playwright-core'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { EVENT_STATUSES } from '../../src/statuses.js'
import { sqliteStore } from '../../src/stores/sqlite/index.js'
import { CREDENTIALS, dashboardApp } from './app.js'
import { SIGNATURES, seedEvents, seedEveryStatus, XSS_ID } from './seed.js'

// Debian's chromium (installed by .ci/run); playwright-core never downloads a browser here.
const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium'
const available = existsSync(CHROMIUM)
const required = process.env.CI === 'true'
if (!available && !required) console.warn(`dashboard browser tests skipped: no chromium at ${CHROMIUM} (apt-get install chromium)`)

/** The app on a free port of 127.0.0.1: its dashboard's URL, and how to stop it. */
async function listen(app: ReturnType<typeof dashboardApp>['app']) {
  const server = await new Promise<ServerType>((resolve) => {
    const s = serve({ fetch: app.fetch, port: 0, hostname: '127.0.0.1' }, () => resolve(s))
  })
  return { base: `http://127.0.0.1:${(server.address() as AddressInfo).port}/inbox`, close: () => new Promise((resolve) => server.close(resolve)) }
}

/** A computed CSS colour, `rgb(r, g, b)`, as sRGB channels from 0 to 1. */
const channels = (color: string) => (color.match(/[\d.]+/g) ?? []).slice(0, 3).map((c) => Number(c) / 255)
const linear = (c: number) => (c <= 0.04045 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4)

/** WCAG 2 contrast ratio of two colours. */
function contrast(a: string, b: string) {
  const luminance = (color: string) => {
    const [r, g, bl] = channels(color).map(linear) as [number, number, number]
    return 0.2126 * r + 0.7152 * g + 0.0722 * bl
  }
  const [light, dark] = [luminance(a), luminance(b)].sort((x, y) => y - x) as [number, number]
  return (light + 0.05) / (dark + 0.05)
}

/** CIE76 ΔE: the distance of two colours in CIELAB (D65); about 2.3 is the least a person notices side by side. */
function deltaE(a: string, b: string) {
  const lab = (color: string) => {
    const [r, g, bl] = channels(color).map(linear) as [number, number, number]
    const xyz = [(0.4124 * r + 0.3576 * g + 0.1805 * bl) / 0.95047, 0.2126 * r + 0.7152 * g + 0.0722 * bl, (0.0193 * r + 0.1192 * g + 0.9505 * bl) / 1.08883]
    const [fx, fy, fz] = xyz.map((t) => (t > 216 / 24389 ? Math.cbrt(t) : (24389 / 27 * t + 16) / 116)) as [number, number, number]
    return [116 * fy - 16, 500 * (fx - fy), 200 * (fy - fz)]
  }
  const [p, q] = [lab(a), lab(b)]
  return Math.hypot(...p.map((v, i) => v - q[i]!))
}

describe.runIf(!available && required)('dashboard in Chromium (CI)', () => {
  it('finds chromium installed, as CI requires', () => {
    expect.fail(`no chromium at ${CHROMIUM}; .ci/run installs it with apt-get`)
  })
})

describe.runIf(available)('dashboard in Chromium', { timeout: 30_000 }, () => {
  const store = sqliteStore({ path: ':memory:' })
  const { app, runs } = dashboardApp(store)
  let server: Awaited<ReturnType<typeof listen>>
  let base = ''
  let browser: Browser
  let page: Page
  const dialogs: string[] = []
  const pagesSeen: string[] = []

  beforeAll(async () => {
    await seedEvents(store, Date.now())
    server = await listen(app)
    base = server.base
    browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--no-sandbox'], timeout: 20_000 })
    const context = await browser.newContext({ httpCredentials: CREDENTIALS })
    context.setDefaultTimeout(10_000)
    page = await context.newPage()
    page.on('dialog', (dialog) => {
      dialogs.push(dialog.message())
      void dialog.dismiss()
    })
    page.on('load', () => void page.content().then((html) => pagesSeen.push(html), () => {}))
  }, 40_000)

  afterAll(async () => {
    await browser?.close()
    await server?.close()
    await store.close()
  })

  it('logging in shows the seeded events with their counts', async () => {
    await page.goto(base)
    await expect.poll(() => page.locator('tbody tr').count()).toBe(7)
    expect(await page.locator('.counts a.s-dead b').textContent()).toBe('1')
    expect(await page.getByRole('link', { name: 'evt_ok_2' }).count()).toBe(1)
  })

  it('the filter form narrows the table to failed Stripe events and keeps the filters in the URL', async () => {
    await page.goto(base)
    await page.selectOption('select[name=status]', 'failed')
    await page.selectOption('select[name=provider]', 'stripe')
    await page.getByRole('button', { name: 'Filter' }).click()
    await page.waitForURL(/status=failed/)
    expect(new URL(page.url()).searchParams.get('provider')).toBe('stripe')
    expect(await page.locator('tbody tr td:nth-child(3)').allTextContents()).toEqual(['evt_failed'])
  })

  it('Replay on an event page runs the handler again and shows the notice', async () => {
    await page.goto(base)
    await page.getByRole('link', { name: 'evt_ok_1' }).click()
    await page.waitForURL(/events\/stripe\/evt_ok_1/)
    await page.getByRole('button', { name: 'Replay' }).click()
    await page.getByText('Replay of evt_ok_1 ran: processed.').waitFor()
    expect(runs).toEqual(['evt_ok_1'])
  })

  it('Retry now on the dead event runs it and it ends processed', async () => {
    await page.goto(`${base}?status=dead`)
    await page.getByRole('link', { name: 'evt_dead' }).click()
    await page.getByRole('button', { name: 'Retry now' }).click()
    await page.getByText('Retry of evt_dead ran: processed.').waitFor()
    expect(await page.locator('#status').textContent()).toBe('processed')
    expect(runs).toContain('evt_dead')
  })

  it('the XSS event page shows its markup as text and opens no dialog', async () => {
    await page.goto(`${base}/events/stripe/${encodeURIComponent(XSS_ID)}`)
    expect(await page.locator('#payload').textContent()).toContain('<script>alert(\\"payload\\")</script>')
    expect(await page.locator('img').count()).toBe(0)
    await page.goto(base)
    expect(dialogs).toEqual([])
  })

  it('a POST without the CSRF token is refused 403 and runs nothing', async () => {
    const before = runs.length
    const response = await page.request.post(`${base}/events/stripe/evt_ok_2/replay`, { form: { other: 'x' }, maxRedirects: 0 })
    expect(response.status()).toBe(403)
    expect(runs.length).toBe(before)
  })

  it('no signature header value appears in any page the browser loaded', async () => {
    await page.goto(`${base}/events/github/gh_delivery_1`)
    pagesSeen.push(await page.content())
    expect(pagesSeen.length).toBeGreaterThan(5)
    for (const html of pagesSeen) for (const value of Object.values(SIGNATURES)) expect(html).not.toContain(value.slice(-24))
  })

  it('the events page paints each status in a colour of its own, the same in counts, chart, legend and table, at 4.5:1 on the page and ΔE over 30 from every other', async () => {
    const colourStore = sqliteStore({ path: ':memory:' })
    await seedEveryStatus(colourStore, Date.now())
    const colourServer = await listen(dashboardApp(colourStore).app)
    try {
      await page.goto(colourServer.base)
      // What Chromium paints, after the cascade: a rule shared by two statuses shows up here.
      const painted = (selector: string, property: 'color' | 'fill' | 'backgroundColor' = 'color') =>
        page.locator(selector).first().evaluate((element, name) => element.ownerDocument.defaultView!.getComputedStyle(element)[name], property)
      const seen: Record<string, string[]> = {}
      for (const status of EVENT_STATUSES) {
        const bar = `svg rect:has(title:text-matches(" ${status}: 1$"))`
        seen[status] = [await painted(`.counts a.s-${status}`), await painted(`figcaption .s-${status}`), await painted(`td.s-${status}`), await painted(bar, 'fill')]
      }
      const background = await painted('body', 'backgroundColor')
      const colours = EVENT_STATUSES.map((status) => seen[status]![0]!)
      expect(seen).toEqual(Object.fromEntries(EVENT_STATUSES.map((status, i) => [status, Array(4).fill(colours[i])])))
      for (const [i, a] of colours.entries()) {
        expect(contrast(a, background), `${EVENT_STATUSES[i]} on the page`).toBeGreaterThanOrEqual(4.5)
        for (const [j, b] of colours.entries()) if (j > i) expect(deltaE(a, b), `${EVENT_STATUSES[i]} and ${EVENT_STATUSES[j]}`).toBeGreaterThan(30)
      }
    } finally {
      await colourServer.close()
      await colourStore.close()
    }
  })
})
