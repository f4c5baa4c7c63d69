import { type Context, Hono } from 'hono'
import { basePath } from 'hono/route'
import type { Inbox } from '../inbox.js'
import { WebhookError } from '../errors.js'
import type { Providers } from '../types.js'
import { checkAuthOption, type DashboardAuth, isAuthorized } from './auth.js'
import { createCsrf } from './csrf.js'
import { prometheusText } from './metrics.js'
import { doneCode, noticeFor } from './notices.js'
import { eventPage } from './pages/event.js'
import { eventsPage, PAGE_SIZE, parseEventsQuery, viewUrl } from './pages/events.js'
import { eventPath, fromSegment, type PageContext } from './pages/layout.js'
import { securityHeaders } from './security.js'
import { shortCache } from './stats-cache.js'

export type { DashboardAuth } from './auth.js'

export interface DashboardOptions {
  /** Required: HTTP Basic credentials, or the app's own check of a request. */
  auth: DashboardAuth
  /** Keys the CSRF tokens; by default derived from the Basic credentials (required with a function `auth`). */
  secret?: string
  /** How long counts and the chart are reused before the store is asked again (default 2 s). */
  statsTtlMs?: number
  now?: () => number
}

/** What the dashboard uses of an inbox. */
export type DashboardInbox = Pick<Inbox<Providers>, 'list' | 'get' | 'replay' | 'retry' | 'retryAll' | 'stats' | 'activity' | 'metrics'>

/** The Hono environment of the dashboard app: each request's CSP nonce. */
export type DashboardEnv = { Variables: { nonce: string } }

const MINUTE = 60_000
const CHART_MINUTES = 60

/**
 * The inbox in a browser: events with counts and a chart, one event with its payload
 * and redacted headers, Replay / Retry now / Retry all dead, and `/metrics`. Server-
 * rendered and Web-standard, so it runs wherever the inbox runs.
 *
 * @example
 * app.route('/inbox', dashboard(inbox, { auth: { username: 'ops', password: process.env.INBOX_DASHBOARD_PASSWORD! } }))
 */
export function dashboard(inbox: DashboardInbox, options: DashboardOptions): Hono<DashboardEnv> {
  const auth = checkAuthOption(options?.auth)
  const now = options.now ?? Date.now
  const csrf = createCsrf(auth, options.secret, now)
  const ttlMs = options.statsTtlMs ?? 2_000
  const stats = shortCache(ttlMs, now, () => inbox.stats())
  const activity = shortCache(ttlMs, now, (since: number) => inbox.activity(since, MINUTE))
  const app = new Hono<DashboardEnv>()

  app.use('*', securityHeaders)
  app.use('*', async function requireAuth(c, next) {
    if (await isAuthorized(auth, c)) return next()
    const challenge: Record<string, string> = typeof auth === 'function' ? {} : { 'WWW-Authenticate': 'Basic realm="webhook-inbox", charset="UTF-8"' }
    return c.text('Authentication required', 401, challenge)
  })
  // Checked before any action runs: a POST without a good token changes nothing.
  app.use('*', async function requireCsrf(c, next) {
    if (c.req.method !== 'POST') return next()
    const form = await c.req.parseBody().catch(() => ({}) as Record<string, unknown>)
    if (!(await csrf.verify(form.csrf))) return c.text('Forbidden: missing or expired CSRF token; reload the page and try again', 403)
    return next()
  })

  const mountOf = (c: Context) => basePath(c).replace(/\/$/, '')
  const pageContext = async (c: Context<DashboardEnv>): Promise<PageContext> => ({ mount: mountOf(c), nonce: c.get('nonce'), csrf: await csrf.token() })

  app.get('/', async (c) => {
    const query = parseEventsQuery(new URL(c.req.url).searchParams)
    const since = Math.floor(now() / MINUTE) * MINUTE - (CHART_MINUTES - 1) * MINUTE
    const filter = { status: query.status, provider: query.provider, q: query.q, before: query.before, limit: PAGE_SIZE + 1 }
    const [rows, counts, buckets] = await Promise.all([inbox.list(filter), stats(), activity(since)])
    const page = await pageContext(c)
    return c.html(
      eventsPage(page, {
        query,
        rows: rows.slice(0, PAGE_SIZE),
        hasMore: rows.length > PAGE_SIZE,
        stats: counts,
        activity: { buckets, since, bucketMs: MINUTE, count: CHART_MINUTES },
        notice: noticeFor(c.req.query('done'), ''),
      }),
    )
  })

  app.get('/metrics', async (c) => {
    const text = prometheusText(inbox.metrics(), await stats())
    return c.body(text, 200, { 'Content-Type': 'text/plain; version=0.0.4; charset=utf-8' })
  })

  app.get('/events/:provider/:id', async (c) => {
    const event = await inbox.get(fromSegment(c.req.param('provider')), fromSegment(c.req.param('id')))
    if (event === undefined) return c.text('No such event', 404)
    return c.html(eventPage(await pageContext(c), event, now(), noticeFor(c.req.query('done'), event.eventId)))
  })

  for (const action of ['replay', 'retry'] as const) {
    app.post(`/events/:provider/:id/${action}`, async (c) => {
      const provider = fromSegment(c.req.param('provider'))
      const id = fromSegment(c.req.param('id'))
      const done = await inbox[action](provider, id).then(
        (result) => doneCode(action, result),
        // A row of a provider this instance is not configured with (another deploy's): say so, as a notice.
        (error: unknown) => {
          if (error instanceof WebhookError && error.code === 'unknown_provider') return `${action}.unconfigured`
          throw error
        },
      )
      return c.redirect(`${mountOf(c)}${eventPath(provider, id)}?done=${done}`, 303)
    })
  }

  app.post('/actions/retry-dead', async (c) => {
    const count = await inbox.retryAll('dead')
    return c.redirect(viewUrl(mountOf(c), { status: 'dead', refresh: false }, { done: `retry-dead.${count}` }), 303)
  })

  return app
}
