// npm run bench: every scenario on this machine in one run, interleaved for three
// rounds, medians reported; then the RSS of 10k vs 100k events; then verify ops/s.
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { load, type Measurement, type Scenario, startServer, stopServer } from './load.js'
import { dashboardBench } from './dashboard.js'
import { verifyBench } from './verify.js'

const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 3)
const SECONDS = Number(process.env.BENCH_SECONDS ?? 4)
const CONNECTIONS = Number(process.env.BENCH_CONNECTIONS ?? 32)
const RSS_SMALL = Number(process.env.BENCH_RSS_SMALL ?? 10_000)
const RSS_LARGE = Number(process.env.BENCH_RSS_LARGE ?? 100_000)

const SCENARIOS: Scenario[] = [
  { key: 'a', label: 'bare node:http, 200', server: 'bare', provider: 'github', ids: 'unique' },
  { key: 'b', label: 'Hono + node:crypto HMAC, no store', server: 'hono-verify', provider: 'github', ids: 'unique' },
  { key: 'c', label: '@octokit/webhooks middleware', server: 'octokit', provider: 'github', ids: 'unique' },
  { key: 'd', label: 'express + stripe.constructEvent', server: 'express-stripe', provider: 'stripe', ids: 'unique' },
  { key: 'e', label: 'webhook-inbox, GitHub, first deliveries', server: 'inbox', provider: 'github', ids: 'unique' },
  { key: 'f', label: 'webhook-inbox, GitHub, duplicates', server: 'inbox', provider: 'github', ids: 'same' },
  { key: 'g', label: "webhook-inbox, durability: 'full'", server: 'inbox', provider: 'github', ids: 'unique', env: { DURABILITY: 'full' } },
  { key: 'h', label: 'webhook-inbox, Stripe, first deliveries', server: 'inbox', provider: 'stripe', ids: 'unique' },
  { key: 'i', label: 'orders API (Hono + SQLite), no middleware', server: 'orders', provider: 'github', ids: 'unique' },
  { key: 'j', label: 'orders API + idempotency(), a fresh key per request', server: 'orders', provider: 'github', ids: 'unique', env: { IDEMPOTENCY: '1' } },
]

const median = (values: number[]) => {
  const sorted = [...values].sort((x, y) => x - y)
  return sorted[Math.floor(sorted.length / 2)]!
}

async function measure(scenario: Scenario, dir: string, tag: string, options: { seconds?: number; amount?: number }) {
  const { child, port } = await startServer(scenario, join(dir, `${tag}.db`))
  try {
    if (scenario.ids === 'same') await load(scenario, port, { amount: 1, connections: 1, tag }, child.pid!)
    return await load(scenario, port, { ...options, connections: CONNECTIONS, tag }, child.pid!)
  } finally {
    await stopServer(child)
  }
}

const dir = mkdtempSync(join(tmpdir(), 'webhook-inbox-bench-'))
const started = Date.now()
try {
  const runs: Record<string, Measurement[]> = Object.fromEntries(SCENARIOS.map((s) => [s.key, []]))
  for (let round = 0; round < ROUNDS; round++) {
    // Rotate the order each round so no scenario always runs first or last.
    const order = SCENARIOS.map((_, i) => SCENARIOS[(i + round * 3) % SCENARIOS.length]!)
    for (const scenario of order) {
      const m = await measure(scenario, dir, `r${round}-${scenario.key}`, { seconds: SECONDS })
      runs[scenario.key]!.push(m)
      process.stderr.write(`round ${round + 1}/${ROUNDS} ${scenario.key}: ${Math.round(m.rps)} req/s\n`)
    }
  }
  const results = Object.fromEntries(
    SCENARIOS.map((s) => {
      const ms = runs[s.key]!
      return [s.key, { label: s.label, rps: median(ms.map((m) => m.rps)), p50: median(ms.map((m) => m.p50)), p99: median(ms.map((m) => m.p99)), rssMiB: median(ms.map((m) => m.rssMiB)), non2xx: ms.reduce((n, m) => n + m.non2xx, 0) }]
    }),
  ) as Record<string, { label: string; rps: number; p50: number; p99: number; rssMiB: number; non2xx: number }>

  const inboxFirst = SCENARIOS.find((s) => s.key === 'e')!
  const rss10k = await measure(inboxFirst, dir, 'rss-small', { amount: RSS_SMALL })
  const rss100k = await measure(inboxFirst, dir, 'rss-large', { amount: RSS_LARGE })

  const r = (key: string) => results[key]!.rps
  const ratios = {
    'e/b': r('e') / r('b'),
    'e/c': r('e') / r('c'),
    'f/b': r('f') / r('b'),
    'f/e': r('f') / r('e'),
    'g/e': r('g') / r('e'),
    'h/d': r('h') / r('d'),
    'j/i': r('j') / r('i'),
    'rss 100k/10k': rss100k.rssMiB / rss10k.rssMiB,
  }
  const targets: Record<string, number> = { 'e/b': 0.8, 'e/c': 0.8, 'f/b': 0.95, 'g/e': 0.9 }

  console.log(`\nwebhook-inbox bench: ${ROUNDS} rounds × ${SECONDS} s, ${CONNECTIONS} connections, 127.0.0.1, medians\n`)
  console.log('| | scenario | req/s | p50 ms | p99 ms | peak RSS MiB | non-2xx |')
  console.log('| --- | --- | ---: | ---: | ---: | ---: | ---: |')
  for (const [key, m] of Object.entries(results)) {
    console.log(`| ${key} | ${m.label} | ${Math.round(m.rps)} | ${m.p50} | ${m.p99} | ${m.rssMiB.toFixed(0)} | ${m.non2xx} |`)
  }
  console.log(`\nRSS of scenario e after ${RSS_SMALL} events: ${rss10k.rssMiB.toFixed(0)} MiB; after ${RSS_LARGE}: ${rss100k.rssMiB.toFixed(0)} MiB\n`)
  console.log('| ratio | measured | target |')
  console.log('| --- | ---: | ---: |')
  for (const [name, value] of Object.entries(ratios)) {
    const target = name === 'rss 100k/10k' ? '≤ 1.10' : targets[name] === undefined ? '' : `≥ ${targets[name]}`
    console.log(`| ${name} | ${value.toFixed(2)} | ${target} |`)
  }

  const verify = await verifyBench()
  console.log('\n| verify (1 s each) | ops/s | official SDK function | ops/s |')
  console.log('| --- | ---: | --- | ---: |')
  for (const row of verify) console.log(`| ${row.ours} | ${Math.round(row.oursOps)} | ${row.sdk} | ${Math.round(row.sdkOps)} |`)

  const board = await dashboardBench(dir)
  console.log(`\n| dashboard, ${board.rows} events, in-process | p50 ms | p95 ms |`)
  console.log('| --- | ---: | ---: |')
  for (const row of board.views) console.log(`| ${row.view} | ${row.p50.toFixed(1)} | ${row.p95.toFixed(1)} |`)

  mkdirSync('bench/results', { recursive: true })
  writeFileSync(
    'bench/results/latest.json',
    `${JSON.stringify({ date: new Date().toISOString(), rounds: ROUNDS, seconds: SECONDS, connections: CONNECTIONS, results, rss: { '10k': rss10k.rssMiB, '100k': rss100k.rssMiB }, ratios, verify, dashboard: board }, null, 2)}\n`,
  )
  console.log(`\nwrote bench/results/latest.json in ${Math.round((Date.now() - started) / 1000)} s`)
} finally {
  rmSync(dir, { recursive: true, force: true })
}
