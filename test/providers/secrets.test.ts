import { describe, expect, it } from 'vitest'
import { BUILT_IN_PROVIDERS } from '../../providers/registry.js'

describe('signing secrets', () => {
  for (const [name, entry] of Object.entries(BUILT_IN_PROVIDERS)) {
    it(`${name}() throws a TypeError naming the unset entry of a secret list`, () => {
      const create = entry.factory as (options: { secret: unknown }) => unknown
      expect(() => create({ secret: ['whsec_ZnV6ei1zZWNyZXQ=', undefined] })).toThrow('secret[1] is undefined')
    })
  }
})
