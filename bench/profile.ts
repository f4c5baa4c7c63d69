// The CPU profile of one scenario's server under load: `node --cpu-prof` in the server
// process, stopped with SIGTERM so the profile is written, then self time summed per
// function (and per file or package) over the samples. `npm run bench` profiles e;
// `npm run bench:profile -- f` profiles any one scenario on its own.
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { pathToFileURL } from 'node:url'
import { load, type Scenario, startServer } from './load.js'
import { ALL_SCENARIOS } from './scenarios.js'

interface CallFrame {
  functionName: string
  url: string
  lineNumber: number
}

interface CpuProfile {
  /** µs on the monotonic clock that process.hrtime also reads (Linux). */
  startTime: number
  nodes: { id: number; callFrame: CallFrame; children?: number[] }[]
  samples: number[]
  timeDeltas: number[]
}

export interface Cost {
  where: string
  /** Share of the busy samples (idle excluded), 0–1. */
  share: number
}

/** Where the file is, shortened to the package in node_modules or the path in this repo. */
function place(url: string): string {
  if (url === '') return 'V8 / native'
  const modules = url.lastIndexOf('/node_modules/')
  if (modules !== -1) {
    const [scope, name] = url.slice(modules + 14).split('/')
    return scope!.startsWith('@') ? `${scope}/${name}` : scope!
  }
  if (url.startsWith('node:')) return url
  const repo = url.indexOf(`${process.cwd()}/`)
  return repo === -1 ? url : url.slice(repo + process.cwd().length + 1)
}

/**
 * What a sample's time was spent on, from the stack rather than the leaf alone: a SQLite
 * statement runs inside better-sqlite3's native call, which the profile books to the JS
 * function that called it (drizzle's `values`), so self time cannot say "the database".
 * The first stage matching the stack, leaf first, takes the sample.
 */
const STAGES: { stage: string; matches: (frame: CallFrame) => boolean }[] = [
  { stage: 'garbage collector', matches: (f) => f.functionName === '(garbage collector)' },
  // The group commit's transaction: every statement of the batch, BEGIN and COMMIT (the WAL write).
  { stage: 'SQLite: statements and commits (group commit)', matches: (f) => f.url.includes('group-commit') && (f.functionName === 'commitBatch' || f.functionName === 'runAlone') },
  { stage: 'answer written to the socket (writev)', matches: (f) => f.functionName === 'writev' || f.functionName === 'writevGeneric' },
  { stage: 'HMAC and SHA-256 (node:crypto)', matches: (f) => f.url === 'node:internal/crypto/hash' },
  { stage: 'HTTP parsing and sockets (node:http, node:net, streams)', matches: (f) => /^node:(_http_|net$|internal\/streams|internal\/stream_base)/.test(f.url) },
]
const OTHER_STAGE = 'everything else: webhook-inbox, Hono, promises, Request and Response objects'

/** Self time per function and per place, and time per stage, within [from, to] (µs, monotonic), the largest first. */
export function summarise(profile: CpuProfile, from = 0, to = Number.POSITIVE_INFINITY): { functions: Cost[]; places: Cost[]; stages: Cost[] } {
  const byNode = new Map(profile.nodes.map((node) => [node.id, node.callFrame]))
  const parentOf = new Map(profile.nodes.flatMap((node) => (node.children ?? []).map((child) => [child, node.id] as const)))
  const stageOf = (id: number): string => {
    for (let node: number | undefined = id; node !== undefined; node = parentOf.get(node)) {
      const found = STAGES.find(({ matches }) => matches(byNode.get(node!)!))
      if (found) return found.stage
    }
    return OTHER_STAGE
  }
  const functions = new Map<string, number>()
  const places = new Map<string, number>()
  const stages = new Map<string, number>()
  let busy = 0
  let at = profile.startTime
  profile.samples.forEach((id, i) => {
    const us = profile.timeDeltas[i] ?? 0
    at += us
    // Start-up (tsx compiling the sources) is not what a request costs.
    if (at < from || at > to) return
    const frame = byNode.get(id)!
    if (frame.functionName === '(idle)') return
    busy += us
    const where = place(frame.url)
    const name = `${frame.functionName || '(anonymous)'}${frame.url === '' ? '' : ` ${where}:${frame.lineNumber + 1}`}`
    functions.set(name, (functions.get(name) ?? 0) + us)
    places.set(where, (places.get(where) ?? 0) + us)
    const stage = stageOf(id)
    stages.set(stage, (stages.get(stage) ?? 0) + us)
  })
  const sorted = (costs: Map<string, number>) =>
    [...costs].sort((x, y) => y[1] - x[1]).map(([where, us]) => ({ where, share: us / Math.max(1, busy) }))
  return { functions: sorted(functions), places: sorted(places), stages: sorted(stages) }
}

/** Runs `scenario` for `seconds` under `node --cpu-prof` and summarises its profile. */
export async function profileScenario(scenario: Scenario, seconds: number, connections: number) {
  const dir = mkdtempSync(join(tmpdir(), 'webhook-inbox-profile-'))
  try {
    const { child, port } = await startServer(scenario, join(dir, 'profile.db'), {}, ['--cpu-prof', `--cpu-prof-dir=${dir}`])
    await load(scenario, port, { amount: 1, connections: 1, tag: 'profile' }, child.pid!)
    const from = Number(process.hrtime.bigint() / 1000n)
    await load(scenario, port, { seconds, connections, tag: 'profile' }, child.pid!)
    const to = Number(process.hrtime.bigint() / 1000n)
    // The profile is written when the process exits on its own: serve()'s SIGTERM handler exits 0.
    const exited = new Promise((resolve) => child.once('exit', resolve))
    child.kill('SIGTERM')
    await exited
    const file = readdirSync(dir).find((name) => name.endsWith('.cpuprofile'))
    if (file === undefined) throw new Error(`${scenario.server} wrote no CPU profile`)
    return summarise(JSON.parse(readFileSync(join(dir, file), 'utf8')) as CpuProfile, from, to)
  } finally {
    rmSync(dir, { recursive: true, force: true })
  }
}

export function printCosts(title: string, costs: Cost[], n = 5) {
  console.log(`\n| ${title} | share of busy CPU |\n| --- | ---: |`)
  for (const cost of costs.slice(0, n)) console.log(`| ${cost.where} | ${(cost.share * 100).toFixed(1)} % |`)
}

// `npx tsx bench/profile.ts e [seconds]`: one scenario's profile, without the whole bench.
if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const key = process.argv[2] ?? 'e'
  const scenario = ALL_SCENARIOS.find((s) => s.key === key && !s.postgres)
  if (scenario === undefined) throw new Error(`no SQLite scenario "${key}"`)
  const { functions, places, stages } = await profileScenario(scenario, Number(process.argv[3] ?? 4), Number(process.env.BENCH_CONNECTIONS ?? 32))
  printCosts(`${key}: top functions by self time`, functions, Number(process.env.PROFILE_TOP ?? 15))
  printCosts(`${key}: top files and packages by self time`, places, 10)
  printCosts(`${key}: where the main thread's CPU goes`, stages, stages.length)
}
