import type { EventSummary } from '../store.js'

/** Left-aligned columns, two spaces apart; the last column is not padded. */
export function table(header: string[], rows: string[][]): string {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)))
  const line = (cells: string[]) =>
    cells
      .map((cell, i) => (i === cells.length - 1 ? cell : cell.padEnd(widths[i]!)))
      .join('  ')
      .trimEnd()
  return [line(header), ...rows.map(line)].join('\n')
}

export function time(ms: number | null): string {
  return ms === null ? '-' : `${new Date(ms).toISOString().replace('T', ' ').slice(0, 19)} UTC`
}

export function bar(done: number, total: number, width = 24): string {
  const filled = total === 0 ? width : Math.round((done / total) * width)
  return `[${'#'.repeat(filled)}${'-'.repeat(width - filled)}] ${done}/${total}`
}

/**
 * What `show` prints above the headers and body: what a user reasons with, not the
 * fence (it only grows; runs since a replay or retry are what
 * `maxAttempts` counts).
 */
export function details(event: EventSummary): [string, string][] {
  const runsSince = event.fence - event.fenceBase
  const lines: [string, string | null][] = [
    ['provider', event.provider],
    ['event id', event.eventId],
    ['type', event.type],
    ['status', event.replay ? `${event.status} (a replay is queued)` : event.status],
    ['runs', event.fenceBase > 0 ? `${event.fence} in all, ${runsSince} since the last replay or retry` : String(event.fence)],
    ['replays', String(event.replays)],
    ['entity', event.entityKey === null ? null : `${event.entityKey} (version ${event.entityVersion})`],
    ['received', time(event.receivedAt)],
    ['processed', event.processedAt === null ? null : time(event.processedAt)],
    ['next attempt', event.nextAttemptAt === null ? null : time(event.nextAttemptAt)],
    ['leased until', event.status === 'processing' ? time(event.leaseEndsAt) : null],
    ['last error', event.lastError],
  ]
  return lines.filter((line): line is [string, string] => line[1] !== null)
}

/** Cut to `width` characters, with an ellipsis so a cut message is not read as whole. */
export function clip(text: string, width: number): string {
  return text.length <= width ? text : `${text.slice(0, width - 1)}…`
}

export function eventRows(events: EventSummary[]): string {
  return table(
    ['RECEIVED', 'PROVIDER', 'EVENT ID', 'TYPE', 'STATUS', 'ATTEMPTS', 'REPLAYS', 'LAST ERROR'],
    events.map((e) => [
      time(e.receivedAt),
      e.provider,
      e.eventId,
      e.type,
      e.status,
      String(e.fence),
      String(e.replays),
      clip(e.lastError ?? '', 60),
    ]),
  )
}
