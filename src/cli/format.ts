import type { EventSummary, StoredEvent } from '../stores/types.js'

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
  return ms === null ? '-' : new Date(ms).toISOString().replace('T', ' ').slice(0, 19)
}

export function bar(done: number, total: number, width = 24): string {
  const filled = total === 0 ? width : Math.round((done / total) * width)
  return `[${'#'.repeat(filled)}${'-'.repeat(width - filled)}] ${done}/${total}`
}

/** The state `show` prints above the headers and body. */
export function summary(event: StoredEvent): EventSummary {
  const { body: _body, headers: _headers, ...rest } = event
  return rest
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
      String(e.attempts),
      String(e.replays),
      clip(e.lastError ?? '', 60),
    ]),
  )
}
