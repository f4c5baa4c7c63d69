// npm run bench: every scenario on this machine in one run, interleaved for three
// rounds, medians reported; then the RSS of 10k vs 100k events, the storage floor, a
// profile of e, verify ops/s and CPU per call, and the dashboard; last, issue #27's goals from this run.
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import pg from 'pg'
import { cpuUs, load, type Measurement, type Scenario, startServer, stopServer } from './load.js'
import { dashboardBench } from './dashboard.js'
import { ALL_SCENARIOS } from './scenarios.js'
import { printCosts, profileScenario } from './profile.js'
import { storageFloor } from './floor.js'
import { printVerifyCpu, VERIFY_CALLS, verifyBench, verifyCpuBench } from './verify.js'

const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 3)
const SECONDS = Number(process.env.BENCH_SECONDS ?? 4)
const CONNECTIONS = Number(process.env.BENCH_CONNECTIONS ?? 32)
const RSS_SMALL = Number(process.env.BENCH_RSS_SMALL ?? 10_000)
const RSS_LARGE = Number(process.env.BENCH_RSS_LARGE ?? 100_000)

// Postgres scenarios need a server: `bash .ci/postgres.sh run npm run bench` starts a throwaway one.
const PG_URL = process.env.BENCH_PG_URL ?? process.env.WEBHOOK_INBOX_TEST_PG_URL ?? (/^postgres(ql)?:\/\//.test(process.env.DATABASE_URL ?? '') ? process.env.DATABASE_URL : undefined)

// BENCH_ONLY=b,e,f: those scenarios alone, without the RSS, profile, verify and dashboard parts (for iterating);
// the floor only when b and e are among them (the first-delivery goal needs it).
const ONLY = process.env.BENCH_ONLY?.split(',')
const SCENARIOS = ALL_SCENARIOS.filter((s) => (PG_URL !== undefined || !s.postgres) && (ONLY === undefined || ONLY.includes(s.key)))
if (PG_URL === undefined) console.log('Postgres scenarios skipped: run `bash .ci/postgres.sh run npm run bench` or set BENCH_PG_URL')

/** Backends of a Postgres on this machine (none when it runs elsewhere). */
function postgresPids(): number[] {
  const pids: number[] = []
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue
    try {
      if (readFileSync(`/proc/${entry}/comm`, 'utf8').trim() === 'postgres') pids.push(Number(entry))
    } catch {}
  }
  return pids
}

const median = (values: number[]) => {
  const sorted = [...values].sort((x, y) => x - y)
  return sorted[Math.floor(sorted.length / 2)]!
}

type Result = Measurement & { dbCpuUsPerReq: number }

async function measure(scenario: Scenario, dir: string, tag: string, options: { seconds?: number; amount?: number }): Promise<Result> {
  const schema = `bench_${tag.replaceAll('-', '_')}`
  const env: Record<string, string> = scenario.postgres ? { PG_URL: PG_URL!, PG_SCHEMA: schema } : {}
  // One migrates the schema first, so the rest do not wait on its advisory lock mid-measurement.
  const servers = [await startServer(scenario, join(dir, `${tag}.db`), env)]
  const n = scenario.processes ?? 1
  while (servers.length < n) servers.push(await startServer(scenario, join(dir, `${tag}.db`), env))
  try {
    for (const { child, port } of servers) await load(scenario, port, { amount: 1, connections: 1, tag }, child.pid!)
    const dbPids = scenario.postgres ? postgresPids() : []
    const dbBefore = cpuUs(dbPids)
    const parts = await Promise.all(servers.map(({ child, port }) => load(scenario, port, { ...options, amount: options.amount && options.amount / n, connections: CONNECTIONS / n, tag }, child.pid!)))
    const requests = parts.reduce((sum, m) => sum + m.requests, 0)
    return {
      rps: parts.reduce((sum, m) => sum + m.rps, 0),
      p50: Math.max(...parts.map((m) => m.p50)),
      p99: Math.max(...parts.map((m) => m.p99)),
      rssMiB: Math.max(...parts.map((m) => m.rssMiB)),
      non2xx: parts.reduce((sum, m) => sum + m.non2xx, 0),
      requests,
      cpuUsPerReq: parts.reduce((sum, m) => sum + m.cpuUsPerReq * m.requests, 0) / Math.max(1, requests),
      mainThreadCpuUsPerReq: parts.reduce((sum, m) => sum + m.mainThreadCpuUsPerReq * m.requests, 0) / Math.max(1, requests),
      // The parts ran at once in this one process: each measured the generator's whole CPU.
      generatorCpuUsPerReq: Math.max(...parts.map((m) => m.generatorCpuUsPerReq * m.requests)) / Math.max(1, requests),
      generatorCores: Math.max(...parts.map((m) => m.generatorCores)),
      wrapped: parts.some((m) => m.wrapped),
      // Backends the pools opened during the run count from zero.
      dbCpuUsPerReq: (cpuUs([...new Set([...dbPids, ...(scenario.postgres ? postgresPids() : [])])]) - dbBefore) / Math.max(1, requests),
    }
  } finally {
    for (const { child } of servers) await stopServer(child)
    if (scenario.postgres) await dropSchema(schema)
  }
}

async function dropSchema(schema: string) {
  const client = new pg.Client({ connectionString: PG_URL })
  await client.connect()
  try {
    await client.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`)
  } finally {
    await client.end()
  }
}

const dir = mkdtempSync(join(tmpdir(), 'webhook-inbox-bench-'))
const started = Date.now()
try {
  const runs: Record<string, Result[]> = Object.fromEntries(SCENARIOS.map((s) => [s.key, []]))
  for (let round = 0; round < ROUNDS; round++) {
    // Rotate the order each round so no scenario always runs first or last.
    const order = SCENARIOS.map((_, i) => SCENARIOS[(i + round * 3) % SCENARIOS.length]!)
    for (const scenario of order) {
      const m = await measure(scenario, dir, `r${round}-${scenario.key}`, { seconds: SECONDS })
      runs[scenario.key]!.push(m)
      process.stderr.write(`round ${round + 1}/${ROUNDS} ${scenario.key}: ${Math.round(m.rps)} req/s, server ${Math.round(m.cpuUsPerReq)} µs/req, generator ${m.generatorCores.toFixed(2)} cores\n`)
    }
  }
  const results = Object.fromEntries(
    SCENARIOS.map((s) => {
      const ms = runs[s.key]!
      const med = (pick: (m: Result) => number) => median(ms.map(pick))
      return [
        s.key,
        {
          label: s.label,
          rps: med((m) => m.rps),
          p50: med((m) => m.p50),
          p99: med((m) => m.p99),
          rssMiB: med((m) => m.rssMiB),
          cpuUs: med((m) => m.cpuUsPerReq),
          mainCpuUs: med((m) => m.mainThreadCpuUsPerReq),
          dbCpuUs: s.postgres ? med((m) => m.dbCpuUsPerReq) : undefined,
          generatorCpuUs: med((m) => m.generatorCpuUsPerReq),
          generatorCores: med((m) => m.generatorCores),
          non2xx: ms.reduce((n, m) => n + m.non2xx, 0),
          wrapped: ms.some((m) => m.wrapped),
        },
      ]
    }),
  ) as Record<
    string,
    { label: string; rps: number; p50: number; p99: number; rssMiB: number; cpuUs: number; mainCpuUs: number; dbCpuUs: number | undefined; generatorCpuUs: number; generatorCores: number; non2xx: number; wrapped: boolean }
  >

  const inboxFirst = ALL_SCENARIOS.find((s) => s.key === 'e')!
  const full = ONLY === undefined
  const rss10k = full ? await measure(inboxFirst, dir, 'rss-small', { amount: RSS_SMALL }) : undefined
  const rss100k = full ? await measure(inboxFirst, dir, 'rss-large', { amount: RSS_LARGE }) : undefined

  // A figure of two scenarios is undefined when either did not run (no Postgres, BENCH_ONLY).
  const of = (pick: (m: (typeof results)[string]) => number) => (top: string, bottom: string) =>
    results[top] && results[bottom] ? pick(results[top]) / pick(results[bottom]) : undefined
  const rps = of((m) => m.rps)
  const cpu = of((m) => m.cpuUs)
  // Ratios without a goal in issue #27, for reading the table; the goals are printed last.
  const ratios = Object.fromEntries(
    Object.entries({ 'e/c': rps('e', 'c'), 'f/b': rps('f', 'b'), 'f/e': rps('f', 'e'), 'h/d': rps('h', 'd'), 'j/h': rps('j', 'h'), 'k/f': rps('k', 'f') }).filter(([, v]) => v !== undefined),
  ) as Record<string, number>

  console.log(`\nwebhook-inbox bench: ${ROUNDS} rounds × ${SECONDS} s, ${CONNECTIONS} connections, 127.0.0.1, medians\n`)
  console.log('| | scenario | req/s | p50 ms | p99 ms | peak RSS MiB | server CPU µs/req | of which main thread | Postgres CPU µs/req | generator CPU µs/req (cores) | non-2xx |')
  console.log('| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |')
  for (const [key, m] of Object.entries(results)) {
    const db = m.dbCpuUs === undefined ? '' : Math.round(m.dbCpuUs)
    const generator = `${Math.round(m.generatorCpuUs)} (${m.generatorCores.toFixed(2)})`
    console.log(`| ${key} | ${m.label} | ${Math.round(m.rps)} | ${m.p50} | ${m.p99} | ${m.rssMiB.toFixed(0)} | ${Math.round(m.cpuUs)} | ${Math.round(m.mainCpuUs)} | ${db} | ${generator} | ${m.non2xx} |`)
  }
  const wrapped = Object.keys(results).filter((key) => results[key]!.wrapped)
  if (wrapped.length > 0) console.log(`\nwarning: ${wrapped.join(', ')} sent more first deliveries than BENCH_POOL holds; some were duplicates`)
  if (rss10k && rss100k) console.log(`\nRSS of scenario e after ${RSS_SMALL} events: ${rss10k.rssMiB.toFixed(0)} MiB; after ${RSS_LARGE}: ${rss100k.rssMiB.toFixed(0)} MiB`)
  if (Object.keys(ratios).length > 0) {
    console.log('\n| ratio (req/s) | measured |\n| --- | ---: |')
    for (const [name, value] of Object.entries(ratios)) console.log(`| ${name} | ${value.toFixed(2)} |`)
  }

  // The features must not slow the plain path (e): their cost beside it, from the same run.
  const features = ['eo', 'et'].filter((key) => results[key] && results.e)
  if (features.length > 0) {
    console.log('\n| beside the plain path | server CPU µs/req | against e (CPU) | req/s | against e (req/s) |\n| --- | ---: | ---: | ---: | ---: |')
    for (const key of ['e', ...features]) {
      const m = results[key]!
      console.log(`| ${key}: ${m.label} | ${Math.round(m.cpuUs)} | ${cpu(key, 'e')!.toFixed(2)} | ${Math.round(m.rps)} | ${rps(key, 'e')!.toFixed(2)} |`)
    }
  }

  // The first-delivery goal counts against the floor, so it is measured whenever b and e ran.
  const floor = full || (results.b && results.e) ? await storageFloor(dir) : undefined
  if (floor) {
    console.log('\n| storage floor (bench/floor.ts): claim + processed mark, batches of 20, better-sqlite3 alone | CPU µs/event | WAL bytes/event |\n| --- | ---: | ---: |')
    const figures = [['floor (minimal schema)', floor.minimal], ['project schema', floor.project], ["project schema + the handler's success record, as e writes", floor.recorded]] as const
    for (const [name, figure] of figures)
      console.log(`| ${name} | ${figure.cpuUsPerEvent.toFixed(0)} | ${figure.walBytesPerEvent.toFixed(0)} |`)
  }

  let profile: Awaited<ReturnType<typeof profileScenario>> | undefined
  let verify: Awaited<ReturnType<typeof verifyBench>> | undefined
  let verifyCpu: Awaited<ReturnType<typeof verifyCpuBench>> | undefined
  let board: Awaited<ReturnType<typeof dashboardBench>> | undefined
  if (full) {
    // Profiled on its own after the measured runs: --cpu-prof slows the server down.
    profile = await profileScenario(inboxFirst, SECONDS, CONNECTIONS)
    printCosts(`e under \`node --cpu-prof\`, ${SECONDS} s: top functions by self time`, profile.functions)
    printCosts('e: top files and packages by self time', profile.places)
    printCosts("e: where the main thread's CPU goes (bench/profile.ts STAGES)", profile.stages, profile.stages.length)

    verify = await verifyBench()
    console.log('\n| verify (1 s each) | ops/s | official SDK function | ops/s |')
    console.log('| --- | ---: | --- | ---: |')
    for (const row of verify) console.log(`| ${row.ours} | ${Math.round(row.oursOps)} | ${row.sdk} | ${Math.round(row.sdkOps)} |`)
    verifyCpu = await verifyCpuBench()
    printVerifyCpu(verifyCpu, VERIFY_CALLS)

    board = await dashboardBench(dir)
    console.log(`\n| dashboard, ${board.rows} events, in-process | p50 ms | p95 ms |`)
    console.log('| --- | ---: | ---: |')
    for (const row of board.views) console.log(`| ${row.view} | ${row.p50.toFixed(1)} | ${row.p95.toFixed(1)} |`)
  }

  // Issue #27's goals, every one from this run. CPU figures are the server's CPU per
  // answer, which does not depend on how much of the shared machine the server got.
  const firstDelivery = floor && results.b && results.e ? (results.b.cpuUs + floor.minimal.cpuUsPerEvent) / results.e.cpuUs : undefined
  const goals: { figure: string; value: number | undefined; atLeast?: number; atMost?: number; note?: string }[] = [
    { figure: 'first delivery: (verify-only + floor) / first delivery, CPU (b + floor) / e', value: firstDelivery, atLeast: 0.8 },
    { figure: 'duplicate: verify-only / duplicate, CPU b / f', value: cpu('b', 'f'), atLeast: 0.9 },
    { figure: 'first deliveries against verify-only, req/s e / b', value: rps('e', 'b'), atLeast: 0.5 },
    { figure: "`durability: 'full'` against the default, req/s g / e", value: rps('g', 'e'), atLeast: 0.9, note: ' in every run' },
    { figure: 'Stripe first deliveries against GitHub ones, CPU h / e', value: cpu('h', 'e'), atMost: 1.1 },
    { figure: 'Postgres, one process, against SQLite, req/s i / h', value: rps('i', 'h'), atLeast: 0.5 },
    { figure: 'Postgres, two processes against one, req/s j / i', value: rps('j', 'i'), atLeast: 1.5 },
    { figure: 'Idempotency-Key endpoint against none, req/s m / l', value: rps('m', 'l'), atLeast: 0.5 },
    { figure: `RSS after ${RSS_LARGE} events against ${RSS_SMALL}`, value: rss10k && rss100k ? rss100k.rssMiB / rss10k.rssMiB : undefined, atMost: 1.15 },
  ]
  console.log('\n| goal (issue #27) | measured | goal | |\n| --- | ---: | ---: | --- |')
  for (const { figure, value, atLeast, atMost, note = '' } of goals) {
    const goal = atLeast !== undefined ? `≥ ${atLeast}${note}` : `≤ ${atMost}${note}`
    const met = value !== undefined && (atLeast === undefined || value >= atLeast) && (atMost === undefined || value <= atMost)
    console.log(`| ${figure} | ${value === undefined ? 'skipped' : value.toFixed(2)} | ${goal} | ${value === undefined ? '' : met ? '✓' : '✗'} |`)
  }

  if (full) {
    mkdirSync('bench/results', { recursive: true })
    const summary = { date: new Date().toISOString(), rounds: ROUNDS, seconds: SECONDS, connections: CONNECTIONS, results, rss: { '10k': rss10k?.rssMiB, '100k': rss100k?.rssMiB } }
    const measured = { ratios, goals, floor, profile: profile && { functions: profile.functions.slice(0, 10), places: profile.places.slice(0, 10), stages: profile.stages }, verify, verifyCpu, dashboard: board }
    writeFileSync('bench/results/latest.json', `${JSON.stringify({ ...summary, ...measured }, null, 2)}\n`)
    console.log(`\nwrote bench/results/latest.json in ${Math.round((Date.now() - started) / 1000)} s`)
  }
} finally {
  rmSync(dir, { recursive: true, force: true })
}
