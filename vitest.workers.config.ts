import { cloudflareTest, readD1Migrations } from '@cloudflare/vitest-pool-workers'
import { fileURLToPath } from 'node:url'
import { defineConfig } from 'vitest/config'
import { DEVELOPMENT_SECRETS } from './src/testing/development-secrets.js'

/**
 * Vite warns once per dependency whose published source map lists sources the package
 * does not ship (stripe, hono, drizzle…): 218 lines in every workerd run. Only that
 * message, and only for node_modules, is dropped; every other warning still prints.
 */
const quietDependencySourcemaps = {
  name: 'quiet-dependency-sourcemaps',
  configResolved(config: { logger: { warnOnce(message: string, options?: object): void } }) {
    const warnOnce = config.logger.warnOnce.bind(config.logger)
    config.logger.warnOnce = (message, options) => {
      if (/^Sourcemap for ".*\/node_modules\/.*" points to missing source files$/.test(message)) return
      warnOnce(message, options)
    }
  },
}

// The same providers, pipeline and store suite, run inside workerd against a real D1.
export default defineConfig({
  plugins: [
    quietDependencySourcemaps,
    cloudflareTest(async () => ({
      wrangler: { configPath: './wrangler.toml' },
      miniflare: {
        bindings: {
          // examples/worker.ts refuses to start without a secret for every built-in provider.
          ...Object.fromEntries(Object.values(DEVELOPMENT_SECRETS).map(({ variable, value }) => [variable, value])),
          INBOX_DASHBOARD_PASSWORD: 'workers-dashboard-test',
          TEST_MIGRATIONS: await readD1Migrations(fileURLToPath(new URL('./drizzle', import.meta.url))),
        },
      },
    })),
  ],
  test: {
    include: ['test/workers/**/*.test.ts'],
    setupFiles: ['./test/workers/apply-migrations.ts'],
    testTimeout: 30_000,
  },
})
