import { html } from 'hono/html'
import type { HtmlEscapedString } from 'hono/utils/html'
import { EVENT_STATUSES } from '../../statuses.js'
import type { EventStatus } from '../../store.js'

export type Html = HtmlEscapedString | Promise<HtmlEscapedString>

export interface PageContext {
  /** Where the dashboard is mounted ('' at the root), for links and form actions. */
  mount: string
  /** The CSP nonce of this response: the only inline style (and script) that runs. */
  nonce: string
  csrf: string
}

/**
 * One colour per status, for its text everywhere and its bars in the chart, so a status
 * looks the same wherever it appears: hues that stay apart under red-green colour
 * blindness, each dark enough for text (at least 4.5:1 on white and on the page's #f6f7f9).
 */
export const STATUS_COLORS: Record<EventStatus, string> = {
  received: '#7f3089',
  processing: '#2365d2',
  processed: '#297a5e',
  stale: '#545d69',
  failed: '#a65b1a',
  dead: '#9e2539',
}

// The last error wraps (at most two lines, in a div: a cell ignores max-width), so its column
// gives way when ids and times need the room instead of pushing the table past the page.
const STYLE = `
body{font:14px/1.4 system-ui,sans-serif;margin:0;color:#1d2330;background:#f6f7f9}
header{background:#1d2330;color:#fff;padding:10px 20px}header a{color:#fff;text-decoration:none;font-weight:600}
main{padding:16px 20px;max-width:1200px}
table{border-collapse:collapse;width:100%;background:#fff}th,td{text-align:left;padding:6px 8px;border-bottom:1px solid #e3e6eb;vertical-align:top}
th{font-weight:600;background:#eef0f3}td.time{white-space:nowrap}div.err{color:#3d4350;max-width:320px;overflow:hidden;overflow-wrap:anywhere;display:-webkit-box;-webkit-box-orient:vertical;-webkit-line-clamp:2}
.counts{display:flex;gap:10px;margin-bottom:12px;flex-wrap:wrap}.counts a{background:#fff;border:1px solid #e3e6eb;border-radius:6px;padding:6px 12px;text-decoration:none}
.counts b{display:block;font-size:20px}.notice{background:#e6f4ea;border:1px solid #a8d5b5;padding:8px 12px;margin-bottom:12px}
${EVENT_STATUSES.map((status) => `.s-${status}{color:${STATUS_COLORS[status]}}`).join('')}
form.filters{display:flex;gap:8px;margin:12px 0;align-items:center}pre{background:#fff;border:1px solid #e3e6eb;padding:10px;overflow:auto;max-height:480px}
dl{display:grid;grid-template-columns:max-content 1fr;gap:4px 16px}dt{font-weight:600}form.inline{display:inline}button{cursor:pointer}
`

export const statusClass = (status: string) => `s-${status}`

export function layout(page: PageContext, title: string, body: Html, options: { refreshSeconds?: number } = {}): Html {
  return html`<!doctype html>
<html lang="en">
  <head>
    <meta charset="utf-8" />
    ${options.refreshSeconds ? html`<meta http-equiv="refresh" content="${options.refreshSeconds}" />` : ''}
    <title>${title} · webhook-inbox</title>
    <style nonce="${page.nonce}">${STYLE}</style>
  </head>
  <body>
    <header><a href="${page.mount || '/'}">webhook-inbox</a></header>
    <main>${body}</main>
  </body>
</html>`
}

/** A POST form with the CSRF token: every action on the dashboard is one of these. */
export function actionForm(page: PageContext, action: string, label: string, fields: Record<string, string> = {}): Html {
  return html`<form class="inline" method="post" action="${page.mount}${action}">
    <input type="hidden" name="csrf" value="${page.csrf}" />
    ${Object.entries(fields).map(([name, value]) => html`<input type="hidden" name="${name}" value="${value}" />`)}
    <button type="submit">${label}</button>
  </form>`
}

export const time = (ms: number | null) => (ms === null ? '—' : new Date(ms).toISOString().replace('T', ' ').replace(/\.\d+Z$/, 'Z'))

/**
 * A browser drops a "." or ".." path segment (percent-encoded or not) before it sends the
 * URL, so such a segment gets one more leading "~": "." → "~.", "~." → "~~.", and
 * `fromSegment` takes one off. Every other value is only percent-encoded.
 */
const DOTS = /^~*\.\.?$/
const toSegment = (value: string) => encodeURIComponent(DOTS.test(value) ? `~${value}` : value)
export const fromSegment = (decoded: string) => (DOTS.test(decoded) && decoded.startsWith('~') ? decoded.slice(1) : decoded)

export const eventPath = (provider: string, eventId: string) => `/events/${toSegment(provider)}/${toSegment(eventId)}`
