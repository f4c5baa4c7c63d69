import { html } from 'hono/html'
import type { StoredEvent } from '../../store.js'
import { prettyBody, redactHeaders } from '../redact.js'
import { actionForm, eventPath, type Html, layout, type PageContext, statusClass, time } from './layout.js'

/** A run holds it now: a replay would be refused, so the button is not offered. */
const isRunning = (event: StoredEvent, now: number) => event.status === 'processing' && (event.leaseEndsAt ?? 0) > now

export function eventPage(page: PageContext, event: StoredEvent, now: number, notice?: string): Html {
  const path = eventPath(event.provider, event.eventId)
  const body = html`
    ${notice ? html`<p class="notice" role="status">${notice}</p>` : ''}
    <h1>${event.provider} · ${event.type}</h1>
    <dl>
      <dt>event id</dt><dd>${event.eventId}</dd>
      <dt>status</dt><dd class="${statusClass(event.status)}" id="status">${event.status}</dd>
      ${event.entityKey === null ? '' : html`<dt>entity</dt><dd>${event.entityKey} · version ${event.entityVersion}</dd>`}
      <dt>attempts</dt><dd>${event.fence} (runs since last requeue: ${event.fence - event.fenceBase}; replays: ${event.replays})</dd>
      <dt>received</dt><dd>${time(event.receivedAt)}</dd>
      <dt>processed</dt><dd>${time(event.processedAt)}</dd>
      ${event.status === 'dead' ? html`<dt>dead since</dt><dd>${time(event.updatedAt)}</dd>` : ''}
      <dt>next attempt</dt><dd>${time(event.nextAttemptAt)}</dd>
      <dt>last error</dt><dd><pre>${event.lastError ?? '—'}</pre></dd>
    </dl>
    <p>
      ${isRunning(event, now) ? html`<em>running now</em>` : actionForm(page, `${path}/replay`, 'Replay')}
      ${event.status === 'failed' || event.status === 'dead' ? actionForm(page, `${path}/retry`, 'Retry now') : ''}
    </p>
    <h2>Headers</h2>
    <table>
      <tbody>${redactHeaders(event.headers).map(([name, value]) => html`<tr><th>${name}</th><td>${value}</td></tr>`)}</tbody>
    </table>
    <h2>Payload</h2>
    <pre id="payload">${prettyBody(event.body)}</pre>`
  return layout(page, `${event.provider} ${event.eventId}`, body)
}
