/** How a delivery was answered; `rejected` (4xx) and `failed` (5xx) carry the error code. */
export type DeliveryOutcome = 'processed' | 'duplicate' | 'stale' | 'queued' | 'accepted' | 'rejected' | 'failed' | 'replied'
export type RunResult = 'processed' | 'failed' | 'dead'

/** Upper bounds (seconds) of the handler duration histogram, Prometheus' default buckets. */
export const DURATION_BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10] as const

export interface Histogram {
  /** Cumulative counts per bound in DURATION_BUCKETS, then +Inf. */
  buckets: number[]
  sum: number
  count: number
}

/** A copy of this process's counters since it started; Prometheus sums them across instances. */
export interface MetricsSnapshot {
  deliveries: { provider: string; outcome: DeliveryOutcome; code: string; count: number }[]
  runs: { provider: string; result: RunResult; count: number }[]
  handlerDuration: { provider: string; histogram: Histogram }[]
}

const SEP = '\u0000'

/**
 * In-process counters: a write per delivery costs a Map update, never a store round
 * trip. Label values are configured provider names and fixed codes only, so an
 * attacker's URL cannot grow them.
 */
export function createMetrics() {
  const deliveries = new Map<string, number>()
  const runs = new Map<string, number>()
  const durations = new Map<string, Histogram>()
  const bump = (map: Map<string, number>, key: string) => map.set(key, (map.get(key) ?? 0) + 1)
  return {
    delivery(provider: string, outcome: DeliveryOutcome, code = '') {
      bump(deliveries, [provider, outcome, code].join(SEP))
    },
    run(provider: string, result: RunResult) {
      bump(runs, [provider, result].join(SEP))
    },
    handlerDuration(provider: string, seconds: number) {
      let histogram = durations.get(provider)
      if (histogram === undefined) durations.set(provider, (histogram = { buckets: new Array<number>(DURATION_BUCKETS.length + 1).fill(0), sum: 0, count: 0 }))
      DURATION_BUCKETS.forEach((bound, i) => {
        if (seconds <= bound) histogram.buckets[i]!++
      })
      histogram.buckets[DURATION_BUCKETS.length]!++
      histogram.sum += seconds
      histogram.count++
    },
    snapshot(): MetricsSnapshot {
      const split = (key: string) => key.split(SEP)
      return {
        deliveries: [...deliveries].map(([key, count]) => {
          const [provider = '', outcome, code = ''] = split(key)
          return { provider, outcome: outcome as DeliveryOutcome, code, count }
        }),
        runs: [...runs].map(([key, count]) => {
          const [provider = '', result] = split(key)
          return { provider, result: result as RunResult, count }
        }),
        handlerDuration: [...durations].map(([provider, h]) => ({ provider, histogram: { ...h, buckets: [...h.buckets] } })),
      }
    },
  }
}

export type Metrics = ReturnType<typeof createMetrics>
