import type { Scenario } from './load.js'

/** Every scenario `npm run bench` measures, by the key its table and ratios use. */
export const ALL_SCENARIOS: Scenario[] = [
  { key: 'a', label: 'bare node:http, 200', server: 'bare', provider: 'github', ids: 'unique' },
  { key: 'b', label: 'Hono + node:crypto HMAC, no store', server: 'hono-verify', provider: 'github', ids: 'unique' },
  { key: 'c', label: '@octokit/webhooks middleware', server: 'octokit', provider: 'github', ids: 'unique' },
  { key: 'd', label: 'express + stripe.constructEvent', server: 'express-stripe', provider: 'stripe', ids: 'unique' },
  { key: 'e', label: 'webhook-inbox, GitHub, first deliveries', server: 'inbox', provider: 'github', ids: 'unique' },
  // The features beside the plain path (issue #27: they must not slow it; their figures sit beside e's).
  { key: 'eo', label: 'e + ordering (an entity per event, as Stripe objects)', server: 'inbox', provider: 'github', ids: 'unique', env: { ORDERING: '1' } },
  { key: 'et', label: 'e + a ctx.transaction handler', server: 'inbox', provider: 'github', ids: 'unique', env: { TRANSACTION: '1' } },
  { key: 'f', label: 'webhook-inbox, GitHub, duplicates', server: 'inbox', provider: 'github', ids: 'same' },
  { key: 'g', label: "webhook-inbox, durability: 'full'", server: 'inbox', provider: 'github', ids: 'unique', env: { DURABILITY: 'full' } },
  { key: 'h', label: 'webhook-inbox, Stripe, first deliveries', server: 'inbox', provider: 'stripe', ids: 'unique' },
  // Stripe for first deliveries: its event id is in the signed body, so every request is a new event.
  { key: 'i', label: 'webhook-inbox on Postgres, Stripe, first deliveries', server: 'inbox', provider: 'stripe', ids: 'unique', postgres: true },
  { key: 'j', label: 'webhook-inbox on Postgres, 2 processes, Stripe, first deliveries', server: 'inbox', provider: 'stripe', ids: 'unique', postgres: true, processes: 2 },
  { key: 'k', label: 'webhook-inbox on Postgres, GitHub, duplicates', server: 'inbox', provider: 'github', ids: 'same', postgres: true },
  { key: 'l', label: 'orders API (Hono + SQLite), no middleware', server: 'orders', provider: 'github', ids: 'unique' },
  { key: 'm', label: 'orders API + idempotency(), a fresh key per request', server: 'orders', provider: 'github', ids: 'unique', env: { IDEMPOTENCY: '1' } },
]
