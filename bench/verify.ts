// Each provider's verify next to the official SDK function it wraps or matches; then the CPU
// each verify() costs on node:crypto and on Web Crypto. `npx tsx bench/verify.ts` prints the
// latter alone.
import { verify as octokitVerify } from '@octokit/webhooks-methods'
import { execFileSync } from 'node:child_process'
import { createHmac, timingSafeEqual } from 'node:crypto'
import { fileURLToPath } from 'node:url'
import Razorpay from 'razorpay'
import Stripe from 'stripe'
import { github, razorpay, slack, standardWebhooks, stripe } from '../providers/index.js'
import { nodeCrypto } from '../src/node-crypto.js'
import type { Provider, SignInput } from '../src/provider.js'
import { SECRET } from './servers/listen.js'

async function opsPerSecond(run: () => unknown, ms = 1000): Promise<number> {
  for (let i = 0; i < 200; i++) await run()
  let ops = 0
  const start = performance.now()
  while (performance.now() - start < ms) {
    for (let i = 0; i < 50; i++) await run()
    ops += 50
  }
  return (ops * 1000) / (performance.now() - start)
}

export async function verifyBench() {
  const body = JSON.stringify({ id: 'evt_1', object: 'event', type: 'invoice.paid', event: 'payment.captured', issue: {}, pad: 'x'.repeat(1900) })
  const bytes = new TextEncoder().encode(body)
  const request = (headers: Record<string, string>) => new Request('http://x/', { method: 'POST', headers, body })
  const ours = async (provider: Provider, id?: string) => {
    const req = request(await provider.sign({ body, ...(id ? { id, type: 'issues' } : {}) }))
    return () => provider.verify(req, bytes)
  }

  const s = stripe({ secret: SECRET })
  const stripeHeader = (await s.sign({ body }))['stripe-signature']!
  const g = github({ secret: SECRET })
  const ghSignature = (await g.sign({ body, id: 'd', type: 'issues' }))['x-hub-signature-256']!
  const sl = slack({ secret: SECRET })
  const slackHeaders = await sl.sign({ body: JSON.stringify({ type: 'event_callback', event_id: 'Ev1', event: { type: 'app_mention' }, pad: 'x'.repeat(1900) }) })
  const r = razorpay({ secret: SECRET })
  const rzpSignature = (await r.sign({ body, id: 'e' }))['x-razorpay-signature']!
  const slackBody = JSON.stringify({ type: 'event_callback', event_id: 'Ev1', event: { type: 'app_mention' }, pad: 'x'.repeat(1900) })
  const slackReq = new Request('http://x/', { method: 'POST', headers: slackHeaders, body: slackBody })
  const slackBytes = new TextEncoder().encode(slackBody)

  return [
    {
      ours: 'stripe().verify()',
      oursOps: await opsPerSecond(await ours(s)),
      sdk: 'Stripe.webhooks.constructEvent (node:crypto)',
      sdkOps: await opsPerSecond(() => Stripe.webhooks.constructEvent(body, stripeHeader, SECRET)),
    },
    {
      ours: 'github().verify()',
      oursOps: await opsPerSecond(await ours(g, 'd')),
      sdk: '@octokit/webhooks-methods verify',
      sdkOps: await opsPerSecond(() => octokitVerify(SECRET, body, ghSignature)),
    },
    {
      ours: 'slack().verify()',
      oursOps: await opsPerSecond(() => sl.verify(slackReq, slackBytes)),
      sdk: 'node:crypto HMAC + timingSafeEqual (Slack ships no standalone verifier)',
      sdkOps: await opsPerSecond(() => {
        const expected = Buffer.from(`v0=${createHmac('sha256', SECRET).update(`v0:${slackHeaders['x-slack-request-timestamp']}:${slackBody}`).digest('hex')}`)
        return timingSafeEqual(expected, Buffer.from(slackHeaders['x-slack-signature']!))
      }),
    },
    {
      ours: 'razorpay().verify()',
      oursOps: await opsPerSecond(await ours(r, 'e')),
      sdk: 'Razorpay.validateWebhookSignature',
      sdkOps: await opsPerSecond(() => Razorpay.validateWebhookSignature(body, rzpSignature, SECRET)),
    },
  ]
}

/**
 * CPU µs per call, user + system of the whole process (Web Crypto signs on libuv's threads),
 * over `calls` calls after a warm-up: unlike ops/s, it hardly depends on how much of a
 * shared machine the process got. Still indicative: other jobs cost caches and turbo.
 */
async function cpuPerCall(run: () => unknown, calls: number): Promise<number> {
  for (let i = 0; i < 5_000; i++) await run()
  const start = process.cpuUsage()
  for (let i = 0; i < calls; i++) await run()
  const { user, system } = process.cpuUsage(start)
  return (user + system) / calls
}

interface CpuRow {
  call: string
  us: number
}

/** Calls per CPU row: enough that a row takes about a second on node:crypto. */
export const VERIFY_CALLS = Number(process.env.BENCH_VERIFY_CALLS ?? 50_000)
const NOW = 1_767_225_600_000
const pad = 'x'.repeat(1900)

/** One verify() per provider over a ~2 KB body, on whichever HMAC this process has. */
async function verifyCpuRows(calls: number): Promise<CpuRow[]> {
  const rows: CpuRow[] = []
  /**
   * `streamed`: fed as the inbox feeds a body where the provider hashes it as it arrives.
   * `nodeOnly`: a row with no Web Crypto path, left out where node:crypto is out of reach.
   */
  const measure = async (call: string, provider: Provider, input: SignInput, { streamed = false, nodeOnly = streamed }: { streamed?: boolean; nodeOnly?: boolean } = {}) => {
    if (nodeOnly && nodeCrypto === undefined) return
    const request = new Request('http://x/', { method: 'POST', headers: await provider.sign({ ...input, timestamp: NOW / 1000 }), body: input.body })
    const bytes = new TextEncoder().encode(input.body)
    const hashed = () => {
      const hash = provider.hashBody!(request)!
      hash.update(bytes)
      return provider.verify(request, bytes, hash)
    }
    rows.push({ call, us: await cpuPerCall(streamed ? hashed : () => provider.verify(request, bytes), calls) })
  }
  const options = { secret: SECRET, now: () => NOW }
  await measure('stripe().verify()', stripe(options), { body: JSON.stringify({ id: 'evt_1', object: 'event', type: 'invoice.paid', pad }) })
  const issue = { body: JSON.stringify({ action: 'opened', issue: { number: 1 }, pad }), id: 'd', type: 'issues' }
  await measure('github().hashBody() + verify(), as the inbox receives', github(options), issue, { streamed: true })
  // Octokit's Node build, which signs with node:crypto whatever this process can look up.
  await measure('github().verify() of a whole body (Octokit)', github(options), issue, { nodeOnly: true })
  await measure('slack().verify()', slack(options), { body: JSON.stringify({ type: 'event_callback', event_id: 'Ev1', event: { type: 'app_mention' }, pad }) })
  const standard = standardWebhooks({ secret: 'whsec_YmVuY2gtc2VjcmV0LWJlbmNoLXNlY3JldA==', now: () => NOW })
  await measure('standardWebhooks().verify()', standard, { body: JSON.stringify({ type: 'user.created', data: {}, pad }), id: 'msg_1' })
  return rows
}

/**
 * The rows above on node:crypto, here, and on Web Crypto, in a child process that cannot look
 * node:crypto up (`process.getBuiltinModule` removed before anything loads), as on a runtime
 * without it. Rows only node:crypto has have no Web Crypto figure.
 */
export async function verifyCpuBench(calls = VERIFY_CALLS) {
  const here = await verifyCpuRows(calls)
  const args = ['--import', 'data:text/javascript,delete process.getBuiltinModule', '--import', 'tsx', fileURLToPath(import.meta.url), '--rows', String(calls)]
  const web = JSON.parse(execFileSync(process.execPath, args, { encoding: 'utf8' })) as CpuRow[]
  return here.map(({ call, us }) => ({ call, nodeCryptoUs: us, webCryptoUs: web.find((row) => row.call === call)?.us }))
}

export function printVerifyCpu(rows: Awaited<ReturnType<typeof verifyCpuBench>>, calls: number) {
  console.log(`\n| verify(), CPU µs per call (${calls} calls) | node:crypto | Web Crypto |`)
  console.log('| --- | ---: | ---: |')
  for (const row of rows) console.log(`| ${row.call} | ${row.nodeCryptoUs.toFixed(1)} | ${row.webCryptoUs?.toFixed(1) ?? '—'} |`)
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const rowsAt = process.argv.indexOf('--rows')
  if (rowsAt !== -1) {
    if (nodeCrypto !== undefined) throw new Error('node:crypto is still reachable: run with process.getBuiltinModule removed')
    console.log(JSON.stringify(await verifyCpuRows(Number(process.argv[rowsAt + 1]))))
  } else {
    printVerifyCpu(await verifyCpuBench(), VERIFY_CALLS)
  }
}
