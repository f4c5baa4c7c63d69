import { fileURLToPath } from 'node:url'
import { beforeAll, describe, expect, it } from 'vitest'
import { publicTypes, type PublicTypes } from './public-types.js'

const root = fileURLToPath(new URL('..', import.meta.url)).replace(/\/$/, '')

describe("the package's entry points (package.json exports, read with the TypeScript compiler)", () => {
  let types: PublicTypes
  // One program for both cases: building it takes seconds.
  beforeAll(() => void (types = publicTypes(root)), 60_000)

  it('export every named type of this repository that their exported signatures reach', () => {
    const missing = [...types.reachable].filter(([symbol]) => !types.exported.has(symbol)).map(([symbol, entry]) => `${types.describe(symbol)}, reached from ${entry}`)
    expect(missing).toEqual([])
    // The walk found the contracts themselves, so an empty list means something.
    expect([...types.reachable.keys()].map((symbol) => symbol.name)).toEqual(expect.arrayContaining(['Store', 'KeyStore', 'Provider', 'Inbox']))
  })

  it('the root exports every type of the Store and Provider contracts, so a custom store or provider needs only webhook-inbox', () => {
    const root = new Set(types.exportsOf('src/index.ts'))
    const contracts = [...types.exportsOf('src/store.ts'), ...types.exportsOf('src/provider.ts')]
    expect(contracts.filter((symbol) => !root.has(symbol)).map(types.describe)).toEqual([])
  })
})
