import type { InboxStats } from '../inbox.js'
import { DURATION_BUCKETS, type MetricsSnapshot } from '../metrics.js'

const escapeLabel = (value: string) => value.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n')
const labels = (pairs: Record<string, string>) =>
  `{${Object.entries(pairs)
    .map(([k, v]) => `${k}="${escapeLabel(v)}"`)
    .join(',')}}`

function family(name: string, type: 'counter' | 'gauge' | 'histogram', help: string, samples: string[]): string {
  return [`# HELP ${name} ${help}`, `# TYPE ${name} ${type}`, ...samples].join('\n')
}

/**
 * The Prometheus text format (0.0.4): this instance's counters, summed across pods by
 * Prometheus, and the store's gauges, the same from every instance.
 */
export function prometheusText(metrics: MetricsSnapshot, stats: InboxStats): string {
  const histogram = metrics.handlerDuration.flatMap(({ provider, histogram: h }) => [
    ...[...DURATION_BUCKETS, '+Inf' as const].map(
      (le, i) => `webhook_inbox_handler_duration_seconds_bucket${labels({ provider, le: String(le) })} ${h.buckets[i]}`,
    ),
    `webhook_inbox_handler_duration_seconds_sum${labels({ provider })} ${h.sum}`,
    `webhook_inbox_handler_duration_seconds_count${labels({ provider })} ${h.count}`,
  ])
  const events = Object.entries(stats.byProvider).flatMap(([provider, counts]) =>
    Object.entries(counts).map(([status, n]) => `webhook_inbox_events${labels({ provider, status })} ${n}`),
  )
  return `${[
    family(
      'webhook_inbox_deliveries_total',
      'counter',
      'Deliveries answered by this instance, by provider and outcome (code: why rejected or failed).',
      metrics.deliveries.map((d) => `webhook_inbox_deliveries_total${labels({ provider: d.provider, outcome: d.outcome, code: d.code })} ${d.count}`),
    ),
    family(
      'webhook_inbox_runs_total',
      'counter',
      'Handler runs ended by this instance: processed, failed (to be retried) or dead.',
      metrics.runs.map((r) => `webhook_inbox_runs_total${labels({ provider: r.provider, result: r.result })} ${r.count}`),
    ),
    family('webhook_inbox_handler_duration_seconds', 'histogram', 'Time the handlers of one run took.', histogram),
    family('webhook_inbox_events', 'gauge', 'Stored events by provider and status.', events),
    family('webhook_inbox_dead_events', 'gauge', 'Dead-lettered events in the store.', [`webhook_inbox_dead_events ${stats.dead}`]),
    family('webhook_inbox_due_oldest_age_seconds', 'gauge', 'How long the longest-waiting due event has waited (0 when none is due).', [
      `webhook_inbox_due_oldest_age_seconds ${(stats.oldestDueAgeMs ?? 0) / 1000}`,
    ]),
  ].join('\n')}\n`
}
