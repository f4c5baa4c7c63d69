import { describe, expect, it, vi } from 'vitest'
import { loadWithDriver } from '../../src/stores/sql/driver.js'

describe('loadWithDriver (the Node stores import their driver before drizzle does)', () => {
  it('loadWithDriver(entry, a driver that is not installed) rejects with one line naming the package, and loads nothing', async () => {
    const load = vi.fn(async () => 'store')
    await expect(loadWithDriver('webhook-inbox/stores/x', 'no-such-driver', load)).rejects.toThrow(
      new Error('webhook-inbox/stores/x needs no-such-driver: npm install no-such-driver'),
    )
    expect(load).not.toHaveBeenCalled()
  })

  it('loadWithDriver(entry, an installed driver) resolves to what load() returns', async () => {
    await expect(loadWithDriver('webhook-inbox/stores/postgres', 'pg', async () => 'store')).resolves.toBe('store')
  })

  it("loadWithDriver(entry, a driver that is found but fails to load) rejects with the driver's own error", async () => {
    const failing = 'data:text/javascript,throw new TypeError("the compiled addon is missing")'
    await expect(loadWithDriver('webhook-inbox/stores/x', failing, async () => 'store')).rejects.toThrow(new TypeError('the compiled addon is missing'))
  })
})
