import { describe } from 'vitest'
import { testStore } from '../conformance/store.js'
import { MYSQL_URL, tempMysqlStore } from '../mysql-helpers.js'

describe.skipIf(!MYSQL_URL)('mysql', () => {
  testStore({ name: 'mysql', create: async () => (await tempMysqlStore()).store })
})
