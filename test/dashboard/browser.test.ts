import { serve, type ServerType } from '@hono/node-server'
import { existsSync } from 'node:fs'
import type { AddressInfo } from 'node:net'
import { type Browser, chromium, type Page } from 'playwright-core'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { sqliteStore } from '../../src/stores/sqlite/index.js'
import { CREDENTIALS, dashboardApp } from './app.js'
import { SIGNATURES, seedEvents, XSS_ID } from './seed.js'

// Debian's chromium (installed by .ci/run); playwright-core never downloads a browser here.
const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium'
const available = existsSync(CHROMIUM)
const required = process.env.CI === 'true'
if (!available && !required) console.warn(`dashboard browser tests skipped: no chromium at ${CHROMIUM} (apt-get install chromium)`)

describe.runIf(!available && required)('dashboard in Chromium (CI)', () => {
  it('finds chromium installed, as CI requires', () => {
    expect.fail(`no chromium at ${CHROMIUM}; .ci/run installs it with apt-get`)
  })
})

describe.runIf(available)('dashboard in Chromium', { timeout: 30_000 }, () => {
  const store = sqliteStore({ path: ':memory:' })
  const { app, runs } = dashboardApp(store)
  let server: ServerType
  let base = ''
  let browser: Browser
  let page: Page
  const dialogs: string[] = []
  const pagesSeen: string[] = []

  beforeAll(async () => {
    await seedEvents(store, Date.now())
    server = await new Promise<ServerType>((resolve) => {
      const s = serve({ fetch: app.fetch, port: 0, hostname: '127.0.0.1' }, () => resolve(s))
    })
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}/inbox`
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
    await new Promise((resolve) => server?.close(resolve))
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
})
