import { html } from 'hono/html'
import type { InboxStats } from '../../inbox.js'
import { EVENT_STATUSES } from '../../statuses.js'
import type { ActivityBucket, EventStatus, EventSummary, ListFilter } from '../../store.js'
import { activityChart } from './chart.js'
import { actionForm, eventPath, type Html, layout, type PageContext, statusClass, time } from './layout.js'

export const PAGE_SIZE = 50

/** The events page's filters, all in the URL so a view can be bookmarked and shared. */
export interface EventsQuery {
  status?: EventStatus
  provider?: string
  q?: string
  before?: ListFilter['before']
  refresh: boolean
}

export function parseEventsQuery(params: URLSearchParams): EventsQuery {
  const status = params.get('status') ?? ''
  const provider = params.get('provider') ?? ''
  const q = (params.get('q') ?? '').trim().slice(0, 200)
  const query: EventsQuery = { refresh: params.get('refresh') === '1' }
  if ((EVENT_STATUSES as readonly string[]).includes(status)) query.status = status as EventStatus
  if (provider) query.provider = provider.slice(0, 200)
  if (q) query.q = q
  query.before = parseCursor(params.get('before'))
  if (query.before === undefined) delete query.before
  return query
}

/** The last row of a page, as the next page's start: `receivedAt.provider.eventId`, parts URI-encoded. */
export const cursorOf = (row: EventSummary) => [row.receivedAt, row.provider, row.eventId].map((p) => encodeURIComponent(p)).join('.')

function parseCursor(text: string | null): ListFilter['before'] | undefined {
  const [at, provider, eventId, ...rest] = (text ?? '').split('.')
  if (rest.length > 0 || provider === undefined || eventId === undefined || !/^\d+$/.test(at ?? '')) return undefined
  try {
    return { receivedAt: Number(at), provider: decodeURIComponent(provider), eventId: decodeURIComponent(eventId) }
  } catch {
    return undefined
  }
}

/** The URL of this view with some filters changed; empty ones are left out. */
export function viewUrl(mount: string, query: EventsQuery, change: Partial<Record<'status' | 'provider' | 'q' | 'before' | 'refresh' | 'done', string>>) {
  const params = new URLSearchParams()
  const values = { status: query.status, provider: query.provider, q: query.q, refresh: query.refresh ? '1' : undefined, ...change }
  for (const [name, value] of Object.entries(values)) if (value) params.set(name, value)
  const search = params.toString()
  return `${mount || '/'}${search ? `?${search}` : ''}`
}

const shorten = (text: string | null, max = 120) => (text === null ? '' : text.length > max ? `${text.slice(0, max - 1)}…` : text)

export interface EventsView {
  query: EventsQuery
  rows: EventSummary[]
  hasMore: boolean
  stats: InboxStats
  activity: { buckets: ActivityBucket[]; since: number; bucketMs: number; count: number }
  notice?: string
}

export function eventsPage(page: PageContext, view: EventsView): Html {
  const { query, rows, stats } = view
  const option = (value: string, selected: string | undefined) => html`<option value="${value}" ${value === (selected ?? '') ? 'selected' : ''}>${value || 'any'}</option>`
  const last = rows.at(-1)
  const body = html`
    ${view.notice ? html`<p class="notice" role="status">${view.notice}</p>` : ''}
    <nav class="counts">
      ${EVENT_STATUSES.map(
        (s) => html`<a class="${statusClass(s)}" href="${viewUrl(page.mount, query, { status: s, before: '' })}"><b>${stats.byStatus[s]}</b>${s}</a>`,
      )}
    </nav>
    ${activityChart(view.activity.buckets, view.activity.since, view.activity.bucketMs, view.activity.count)}
    <form class="filters" method="get" action="${page.mount || '/'}">
      <label>status <select name="status">${['', ...EVENT_STATUSES].map((s) => option(s, query.status))}</select></label>
      <label>provider <select name="provider">${['', ...Object.keys(stats.byProvider).sort()].map((p) => option(p, query.provider))}</select></label>
      <label>search <input type="search" name="q" value="${query.q ?? ''}" placeholder="event id or type" /></label>
      ${query.refresh ? html`<input type="hidden" name="refresh" value="1" />` : ''}
      <button type="submit">Filter</button>
      <a href="${viewUrl(page.mount, query, { refresh: query.refresh ? '' : '1', before: '' })}">auto-refresh ${query.refresh ? 'off' : 'on'}</a>
    </form>
    ${query.status === 'dead' && stats.dead > 0 ? html`<p>${actionForm(page, '/actions/retry-dead', `Retry all ${stats.dead} dead`)}</p>` : ''}
    <table>
      <thead><tr><th>provider</th><th>type</th><th>event id</th><th>status</th><th>attempts</th><th>received</th><th>last error</th></tr></thead>
      <tbody>
        ${rows.length === 0 ? html`<tr><td colspan="7">No events match.</td></tr>` : ''}
        ${rows.map(
          (e) => html`<tr>
            <td>${e.provider}</td><td>${e.type}</td>
            <td><a href="${page.mount}${eventPath(e.provider, e.eventId)}">${e.eventId}</a></td>
            <td class="${statusClass(e.status)}">${e.status}</td><td>${e.fence}</td><td class="time">${time(e.receivedAt)}</td>
            <td><div class="err" title="${e.lastError ?? ''}">${shorten(e.lastError)}</div></td>
          </tr>`,
        )}
      </tbody>
    </table>
    <p>
      ${query.before ? html`<a href="${viewUrl(page.mount, query, { before: '' })}">« newest</a>` : ''}
      ${view.hasMore && last ? html`<a rel="next" href="${viewUrl(page.mount, query, { before: cursorOf(last) })}">older »</a>` : ''}
    </p>`
  return layout(page, 'Events', body, query.refresh ? { refreshSeconds: 10 } : {})
}
