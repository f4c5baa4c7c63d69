// Run by hand (`npm run docs:screenshot`) to refresh docs/dashboard.png, docs/dashboard.md's picture of
// the dashboard. An hour of deliveries from six providers goes through the real inbox, signed as
// each provider signs them, on a clock this script moves; handlers fail where a real app's would
// (an ERP outage, a bug, a rate limit) and the sweeper retries them. Then the dashboard is served
// on 127.0.0.1 and shot in Chromium. Seeded, so every run draws the same picture.
import { serve } from '@hono/node-server'
import { Hono } from 'hono'
import type { AddressInfo } from 'node:net'
import { chromium } from 'playwright-core'
import { github, linear, paddle, shopify, slack, stripe } from '../providers/index.js'
import { dashboard } from '../src/dashboard/index.js'
import { createInbox } from '../src/inbox.js'
import { sqliteStore } from '../src/stores/sqlite/index.js'
import { DEVELOPMENT_SECRETS, fixture, type FixtureName, signedRequest } from '../src/testing/index.js'

const OUT = 'docs/dashboard.png'
const SECOND = 1_000
const MINUTE = 60 * SECOND
/** The moment of the shot: fixed, so the times on the page are the same on every run. */
const END = Date.UTC(2026, 2, 10, 14, 30)
const START = END - 60 * MINUTE
/** The sweeper's pause between sweeps (its default). */
const SWEEP_EVERY = 5 * SECOND

let clock = START
const now = () => clock

// mulberry32: a small seeded generator, so the hour is the same on every run. This seed was
// picked among a few for a first screenful that shows most providers and statuses.
let seed = 20
function random() {
  seed = (seed + 0x6d2b79f5) | 0
  let t = Math.imul(seed ^ (seed >>> 15), 1 | seed)
  t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t
  return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296
}
// The inbox's backoff jitter draws from Math.random: seeded too, or retries would move between runs.
Math.random = random
const chars = (alphabet: string, length: number) => Array.from({ length }, () => alphabet[Math.floor(random() * alphabet.length)]).join('')
const BASE62 = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz'
const HEX = '0123456789abcdef'
const uuid = () => `${chars(HEX, 8)}-${chars(HEX, 4)}-4${chars(HEX, 3)}-${chars('89ab', 1)}${chars(HEX, 3)}-${chars(HEX, 12)}`
const integer = (min: number, max: number) => min + Math.floor(random() * (max - min + 1))
const iso = (ms: number) => new Date(ms).toISOString()

// ——— The app's downstream systems, scripted on the clock ———

/** The ERP the Shopify orders go to: down for the last three minutes of the hour. */
const ERP_DOWN_FROM = END - 3 * MINUTE
/** The CRM rate-limits the subscription syncs for a few seconds… */
const CRM_LIMITED = [END - 22 * SECOND, END - 18 * SECOND] as const
/** …and one big customer's sync is still running when the shot is taken. */
const SLOW_SUBSCRIPTION = `sub_${chars(BASE62, 24)}`
let slowSyncStarted!: () => void
const slowSyncRunning = new Promise<void>((resolve) => (slowSyncStarted = resolve))
let finishSlowSync!: () => void
const slowSync = new Promise<void>((resolve) => (finishSlowSync = resolve))

async function pushOrderToErp() {
  if (clock >= ERP_DOWN_FROM) throw new Error('ERP answered 503 Service Unavailable (POST /api/v2/sales-orders)')
}

async function syncSubscriptionToCrm(subscription: string) {
  if (clock >= CRM_LIMITED[0] && clock < CRM_LIMITED[1]) throw new Error('CRM answered 429 Too Many Requests (retry after 30 s)')
  if (subscription !== SLOW_SUBSCRIPTION) return
  slowSyncStarted()
  await slowSync
}

// ——— The inbox ———

const PROVIDERS = ['stripe', 'github', 'slack', 'shopify', 'paddle', 'linear'] as const
type ProviderName = (typeof PROVIDERS)[number]
const secretOf = Object.fromEntries(PROVIDERS.map((name) => [name, DEVELOPMENT_SECRETS[name].value])) as Record<ProviderName, string>
const store = sqliteStore({ path: ':memory:' })
const inbox = createInbox({
  store,
  providers: {
    stripe: stripe({ secret: secretOf.stripe, now }),
    github: github({ secret: secretOf.github, now }),
    slack: slack({ secret: secretOf.slack, now }),
    shopify: shopify({ secret: secretOf.shopify, now }),
    paddle: paddle({ secret: secretOf.paddle, now }),
    linear: linear({ secret: secretOf.linear, now }),
  },
  now,
  // Stripe's events of one object run in order, so one delivered late ends `stale`.
  ordering: { stripe: true },
  maxAttempts: 8,
  backoff: { maxMs: 5 * MINUTE },
  // The failures are the point of the picture; their log lines are not.
  logger: { info() {}, warn() {}, error() {} },
})

inbox.on('shopify', 'orders/create', () => pushOrderToErp())
inbox.on('stripe', 'customer.subscription.updated', (event) => syncSubscriptionToCrm(event.payload.data.object.id))
inbox.on('paddle', 'subscription.canceled', (event) => {
  // The bug behind the dead letters: a cancellation made in Paddle's dashboard has no scheduled_change.
  const { effective_at } = event.payload.data.scheduled_change as { effective_at: string }
  return effective_at
})

// ——— The deliveries ———

interface Delivery {
  at: number
  provider: ProviderName
  payload: Record<string, unknown>
  /** The event id (Stripe, Slack, Paddle) or delivery id header (GitHub, Shopify, Linear). */
  id: string
  /** Its handler is still running at the shot: the hour goes on once it has started. */
  running?: true
}

type Fields = Record<string, unknown>
const field = (object: unknown, name: string) => (object as Fields)[name] as Fields

function stripeEvent(at: number, name: FixtureName<'stripe'> | 'customer.subscription.updated', object?: string, created = Math.floor(at / SECOND) - 1): Delivery {
  // Stripe's reference has no customer.subscription.updated example: the deleted one's subscription, active again.
  const payload = name === 'customer.subscription.updated' ? { ...fixture('stripe', 'customer.subscription.deleted'), type: name } : fixture('stripe', name)
  const data = field(payload, 'data')
  const original = field(data, 'object')
  const prefix = String(original.id).split('_')[0]
  data.object = { ...original, id: object ?? `${prefix}_${chars(BASE62, 24)}`, ...(name === 'customer.subscription.updated' ? { status: 'active', canceled_at: null } : {}) }
  payload.created = created
  return { at, provider: 'stripe', payload, id: `evt_${chars(BASE62, 24)}` }
}

function githubEvent(at: number, name: 'push' | 'pull_request.opened' | 'issues.opened' | 'workflow_run.completed'): Delivery {
  const payload = fixture('github', name)
  // Each delivery's body differs as GitHub's would: the inbox also dedupes on the signed bytes.
  if (name === 'push') payload.after = chars(HEX, 40)
  if (name === 'pull_request.opened') payload.number = field(payload, 'pull_request').number = integer(1200, 1500)
  if (name === 'issues.opened') field(payload, 'issue').number = integer(1200, 1500)
  if (name === 'workflow_run.completed') field(payload, 'workflow_run').id = integer(9_000_000_000, 9_999_999_999)
  return { at, provider: 'github', payload, id: uuid() }
}

function slackEvent(at: number, name: 'message' | 'app_mention'): Delivery {
  const payload = fixture('slack', name)
  payload.event_time = Math.floor(at / SECOND)
  return { at, provider: 'slack', payload, id: `Ev0${chars(BASE62.slice(0, 36), 8)}` }
}

function shopifyEvent(at: number, name: 'orders/create' | 'orders/updated'): Delivery {
  const order = integer(5_100_000_000_000, 5_999_999_999_999)
  // Changed in place: signedRequest takes the topic header from the fixture object itself.
  const payload = Object.assign(fixture('shopify', name), { id: order, admin_graphql_api_id: `gid://shopify/Order/${order}`, name: `#${integer(1040, 1999)}`, total_price: `${integer(18, 240)}.00` })
  return { at, provider: 'shopify', payload, id: uuid() }
}

const paddleId = (prefix: string) => `${prefix}_01j${chars('0123456789abcdefghjkmnpqrstvwxyz', 23)}`

function paddleEvent(at: number, name: 'transaction.completed' | 'subscription.created' | 'subscription.canceled'): Delivery {
  const payload = fixture('paddle', name)
  payload.occurred_at = iso(at - SECOND)
  payload.notification_id = paddleId('ntf')
  field(payload, 'data').id = paddleId(name.startsWith('transaction') ? 'txn' : 'sub')
  return { at, provider: 'paddle', payload, id: paddleId('evt') }
}

function linearEvent(at: number, name: 'Issue.create' | 'Issue.update' | 'Comment.create'): Delivery {
  const payload = fixture('linear', name)
  payload.createdAt = iso(at - SECOND)
  const data = field(payload, 'data')
  data.id = uuid()
  if (name !== 'Comment.create') data.identifier = `ENG-${integer(400, 700)}`
  return { at, provider: 'linear', payload, id: uuid() }
}

/** The everyday mix, by weight. */
const TRAFFIC: [number, (at: number) => Delivery][] = [
  [20, (at) => stripeEvent(at, 'payment_intent.succeeded')],
  [9, (at) => stripeEvent(at, 'invoice.paid')],
  [5, (at) => stripeEvent(at, 'customer.subscription.updated')],
  [5, (at) => stripeEvent(at, 'checkout.session.completed')],
  [2, (at) => stripeEvent(at, 'charge.refunded')],
  [9, (at) => githubEvent(at, 'push')],
  [4, (at) => githubEvent(at, 'pull_request.opened')],
  [3, (at) => githubEvent(at, 'issues.opened')],
  [4, (at) => githubEvent(at, 'workflow_run.completed')],
  [4, (at) => slackEvent(at, 'message')],
  [2, (at) => slackEvent(at, 'app_mention')],
  [10, (at) => shopifyEvent(at, 'orders/create')],
  [3, (at) => shopifyEvent(at, 'orders/updated')],
  [4, (at) => paddleEvent(at, 'transaction.completed')],
  [2, (at) => paddleEvent(at, 'subscription.created')],
  [2, (at) => linearEvent(at, 'Issue.create')],
  [3, (at) => linearEvent(at, 'Issue.update')],
  [1, (at) => linearEvent(at, 'Comment.create')],
]
const TOTAL_WEIGHT = TRAFFIC.reduce((sum, [weight]) => sum + weight, 0)

function everyday(at: number): Delivery {
  let draw = random() * TOTAL_WEIGHT
  for (const [weight, make] of TRAFFIC) if ((draw -= weight) < 0) return make(at)
  // Only reached when rounding leaves the draw a hair above the last weight.
  return TRAFFIC.at(-1)![1](at)
}

/** Two updates of one subscription that Stripe delivers newest first: the older one is stale on arrival. */
function outOfOrder(at: number): Delivery[] {
  const subscription = `sub_${chars(BASE62, 24)}`
  const created = Math.floor(at / SECOND) - 30
  return [stripeEvent(at, 'customer.subscription.updated', subscription, created + 12), stripeEvent(at + 9 * SECOND, 'customer.subscription.updated', subscription, created)]
}

const deliveries: Delivery[] = []
for (let minute = 0; minute < 60; minute++) {
  // A working hour's rise and fall, with a burst of orders in its second half.
  const rate = 11 + 5 * Math.sin(minute / 8) + (minute >= 34 && minute < 42 ? 9 : 0)
  for (let n = Math.round(rate * (0.7 + 0.6 * random())); n > 0; n--) deliveries.push(everyday(START + minute * MINUTE + integer(0, MINUTE - 1)))
}
deliveries.push(
  ...outOfOrder(END - 44 * MINUTE - 12_317),
  ...outOfOrder(END - 33 * SECOND - 208),
  paddleEvent(END - 51 * MINUTE - 41_560, 'subscription.canceled'),
  paddleEvent(END - 29 * MINUTE - 7_093, 'subscription.canceled'),
  // An update that fails on the CRM's rate limit; a newer update of the same subscription
  // (the slow sync) starts before the sweep that could retry it (the first backoff is 5 s
  // or more), so the sweeper leaves it waiting: `received`.
  stripeEvent(END - 21 * SECOND - 374, 'customer.subscription.updated', SLOW_SUBSCRIPTION, Math.floor((END - 30 * SECOND) / SECOND)),
  { ...stripeEvent(END - 17 * SECOND - 861, 'customer.subscription.updated', SLOW_SUBSCRIPTION), running: true },
)
deliveries.sort((a, b) => a.at - b.at)

// ——— The hour, replayed ———

const stillRunning: Promise<Response>[] = []
let nextSweep = START + SWEEP_EVERY
async function sweepUntil(time: number) {
  for (; nextSweep <= time; nextSweep += SWEEP_EVERY) {
    clock = nextSweep
    await inbox.sweep()
  }
}
for (const delivery of deliveries) {
  await sweepUntil(delivery.at)
  clock = delivery.at
  const request = await signedRequest(delivery.provider, delivery.payload, { secret: secretOf[delivery.provider], id: delivery.id, timestamp: Math.floor(clock / SECOND) })
  const answer = inbox.fetch(request)
  if (delivery.running) {
    stillRunning.push(answer)
    // Claimed and running at this delivery's time, before the clock moves on.
    await slowSyncRunning
    continue
  }
  // A 500 is a handler that failed, as planned; a 4xx is a delivery this script got wrong.
  const response = await answer
  if (response.status >= 400 && response.status < 500) throw new Error(`${delivery.provider} ${delivery.id}: ${response.status} ${await response.text()}`)
}
await sweepUntil(END)
clock = END

// ——— The shot ———

const credentials = { username: 'ops', password: 'screenshot' }
const app = new Hono().route('/inbox', dashboard(inbox, { auth: credentials, now }))
const server = serve({ fetch: app.fetch, port: 0, hostname: '127.0.0.1' })
await new Promise((resolve) => server.once('listening', resolve))
const browser = await chromium.launch({ executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium', args: ['--no-sandbox'] })
try {
  const page = await browser.newPage({ httpCredentials: credentials, viewport: { width: 1280, height: 800 }, deviceScaleFactor: 1 })
  await page.goto(`http://127.0.0.1:${(server.address() as AddressInfo).port}/inbox`)
  await page.screenshot({ path: OUT })
  const { byStatus } = await inbox.stats()
  console.log(`wrote ${OUT}: ${deliveries.length} deliveries, ${Object.entries(byStatus).map(([status, n]) => `${n} ${status}`).join(', ')}`)
} finally {
  await browser.close()
  server.close()
  finishSlowSync()
  await Promise.all(stillRunning)
  await inbox.shutdown()
}
