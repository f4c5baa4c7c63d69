import { defineConfig } from 'vitest/config'

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    // workerd runs these, with vitest.workers.config.ts.
    exclude: ['test/workers/**', 'node_modules/**'],
    testTimeout: 20_000,
    hookTimeout: 20_000,
    globalSetup: ['./test/postgres-setup.ts'],
  },
})
