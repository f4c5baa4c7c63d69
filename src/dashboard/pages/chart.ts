import { html } from 'hono/html'
import type { ActivityBucket, EventStatus } from '../../store.js'
import { type Html, STATUS_COLORS } from './layout.js'

const ORDER: EventStatus[] = ['processed', 'stale', 'processing', 'received', 'failed', 'dead']
const WIDTH = 720
const HEIGHT = 120

/** Deliveries per minute over the window, stacked by status, as inline SVG: no script, no library. */
export function activityChart(buckets: ActivityBucket[], since: number, bucketMs: number, count: number): Html {
  const columns = Array.from({ length: count }, () => new Map<EventStatus, number>())
  for (const b of buckets) {
    const i = Math.floor((b.start - since) / bucketMs)
    if (i >= 0 && i < count) columns[i]!.set(b.status, (columns[i]!.get(b.status) ?? 0) + b.count)
  }
  const max = Math.max(1, ...columns.map((c) => [...c.values()].reduce((a, n) => a + n, 0)))
  const w = WIDTH / count
  const bars = columns.flatMap((column, i) => {
    let y = HEIGHT
    return ORDER.filter((s) => column.has(s)).map((status) => {
      const n = column.get(status)!
      const h = (n / max) * (HEIGHT - 4)
      y -= h
      const minute = new Date(since + i * bucketMs).toISOString().slice(11, 16)
      return html`<rect x="${(i * w).toFixed(1)}" y="${y.toFixed(1)}" width="${Math.max(1, w - 1).toFixed(1)}" height="${h.toFixed(1)}" fill="${STATUS_COLORS[status]}"><title>${minute} ${status}: ${n}</title></rect>`
    })
  })
  return html`<figure>
    <svg role="img" aria-label="Deliveries per minute over the last hour, stacked by status" width="${WIDTH}" height="${HEIGHT}" viewBox="0 0 ${WIDTH} ${HEIGHT}">
      <rect width="${WIDTH}" height="${HEIGHT}" fill="#fff" />${bars}
    </svg>
    <figcaption>Deliveries per minute, last hour (peak ${max}): ${ORDER.map((s) => html`<span class="s-${s}">■ ${s}</span> `)}</figcaption>
  </figure>`
}
