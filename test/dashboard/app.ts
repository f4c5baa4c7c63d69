import { Hono } from 'hono'
import { github, stripe } from '../../providers/index.js'
import { dashboard, type DashboardOptions } from '../../src/dashboard/index.js'
import { createInbox } from '../../src/inbox.js'
import type { Store } from '../../src/store.js'

export const CREDENTIALS = { username: 'ops', password: 'correct horse battery staple' }
export const basic = (user = CREDENTIALS.username, pass = CREDENTIALS.password) => ({ authorization: `Basic ${btoa(`${user}:${pass}`)}` })

/** An inbox over `store` with the dashboard at /inbox; `runs` lists every handler run. */
export function dashboardApp(store: Store, options: Partial<DashboardOptions> = {}) {
  const inbox = createInbox({
    store,
    providers: { stripe: stripe({ secret: 'whsec_dashboard' }), github: github({ secret: 'gh-dashboard' }) },
    mode: 'inline',
  })
  const runs: string[] = []
  inbox.onAny((event) => void runs.push(event.id))
  const app = new Hono().route('/inbox', dashboard(inbox, { auth: CREDENTIALS, statsTtlMs: 0, ...options }))
  return { app, inbox, runs }
}

/** The CSRF token of a page's first form. */
export const csrfOf = (page: string) => /name="csrf" value="([^"]+)"/.exec(page)?.[1]
