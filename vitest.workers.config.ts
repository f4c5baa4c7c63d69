import { cloudflareTest, readD1Migrations } from '@cloudflare/vitest-pool-workers'
import { fileURLToPath } from 'node:url'
import { defineConfig } from 'vitest/config'

// The same providers, pipeline and store suite, run inside workerd against a real D1.
export default defineConfig({
  plugins: [
    cloudflareTest(async () => ({
      wrangler: { configPath: './wrangler.toml' },
      miniflare: {
        bindings: {
          STRIPE_WEBHOOK_SECRET: 'whsec_workers_test',
          GITHUB_WEBHOOK_SECRET: 'github-workers-test',
          SLACK_SIGNING_SECRET: 'slack-workers-test',
          RAZORPAY_WEBHOOK_SECRET: 'razorpay-workers-test',
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
