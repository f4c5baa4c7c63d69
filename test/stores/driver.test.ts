import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { pathToFileURL } from 'node:url'
import { describe, expect, it, vi } from 'vitest'
import { loadWithDriver } from '../../src/stores/sql/driver.js'

describe('loadWithDriver (the Node stores import their driver before drizzle does)', () => {
  it('loadWithDriver(entry, a driver that is not installed) rejects with one line naming the package, and loads nothing', async () => {
    const load = vi.fn(async () => 'store')
    await expect(loadWithDriver('webhook-inbox/stores/x', 'no-such-driver', () => import('no-such-driver' as string), load)).rejects.toThrow(
      new Error('webhook-inbox/stores/x needs no-such-driver: npm install no-such-driver'),
    )
    expect(load).not.toHaveBeenCalled()
  })

  it('loadWithDriver(entry, an installed driver) resolves to what load() returns', async () => {
    await expect(loadWithDriver('webhook-inbox/stores/postgres', 'pg', () => import('pg'), async () => 'store')).resolves.toBe('store')
  })

  it("loadWithDriver(entry, a driver that is found but fails to load) rejects with the driver's own error", async () => {
    const failing = 'data:text/javascript,throw new TypeError("the compiled addon is missing")'
    await expect(loadWithDriver('webhook-inbox/stores/x', 'x-driver', () => import(failing), async () => 'store')).rejects.toThrow(
      new TypeError('the compiled addon is missing'),
    )
  })

  it("loadWithDriver(entry, an installed driver that imports a missing package) rejects with Node's error naming that package, not the driver", async () => {
    const dir = mkdtempSync(join(tmpdir(), 'webhook-inbox-driver-'))
    try {
      // An ES module driver whose own dependency is not installed: Node reports ERR_MODULE_NOT_FOUND for it too.
      const driver = join(dir, 'driver.mjs')
      writeFileSync(driver, "import 'gone-dependency-of-the-driver'\n")
      const loading = loadWithDriver('webhook-inbox/stores/x', 'x-driver', () => import(pathToFileURL(driver).href), async () => 'store')
      await expect(loading).rejects.toMatchObject({ code: 'ERR_MODULE_NOT_FOUND', message: expect.stringContaining("'gone-dependency-of-the-driver'") })
    } finally {
      rmSync(dir, { recursive: true, force: true })
    }
  })
})
