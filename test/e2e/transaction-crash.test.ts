// ctx.transaction's exactly-once proof with real processes: a server SIGKILLs itself on
// the first run of many events, just after each one's transaction returned or inside it,
// and a second server's sweeper takes every event over once its lease runs out.
// test/e2e/fixtures/transaction-server.ts is the server.
import { expect, it } from 'vitest'
import { countsByEvent } from '../effects-table.js'
import { waitFor } from '../helpers.js'
import { onCleanup } from '../node-helpers.js'
import { describeEachTransactionStore, type EffectsPlace } from '../transaction-stores.js'
import { deliver, startServer } from './processes.js'

const EVENTS = 20
const ids = Array.from({ length: EVENTS }, (_, i) => `tx-crash-${i}`)

async function start(env: Record<string, string>) {
  const server = await startServer(env, 'test/e2e/fixtures/transaction-server.ts')
  onCleanup(async () => {
    if (server.child.exitCode === null && server.child.signalCode === null) server.child.kill('SIGKILL')
    await server.exited
  })
  return server
}

/**
 * Delivers every event to a server that kills itself at `kill` on their first runs, with a
 * second server on the same store running alongside; resolves once the first is dead, with
 * the effects rows then, and the two servers' pids.
 */
async function crash(place: EffectsPlace, kill: 'after-commit' | 'inside') {
  // A short lease, so the second server's sweeper takes the events over soon after the kill.
  const env = { ...place.serverEnv, LEASE_MS: '1500', SWEEP_INTERVAL_MS: '100' }
  const [first, second] = await Promise.all([start({ ...env, KILL_FIRST_RUN: kill, EVENTS: String(EVENTS) }), start(env)])
  const statuses = Promise.all(ids.map((id) => deliver(first.port, id).then((response) => response.status, () => 0)))
  const dead = () => first.child.signalCode !== null || first.child.exitCode !== null
  await waitFor(dead, 10_000, 'the first server to kill itself').catch((error: Error) => {
    throw new Error(`${error.message}; it wrote:\n${first.output()}`)
  })
  expect(first.child.signalCode).toBe('SIGKILL')
  // No delivery was answered: every event was in its first run when the process died.
  expect(await statuses).toEqual(ids.map(() => 0))
  return { afterCrash: await place.effects.rows(), first: String(first.child.pid), second: String(second.child.pid) }
}

/** Waits until the second server has processed every event, then checks each one was taken over once. */
async function everyEventProcessed(place: EffectsPlace) {
  const store = place.open()
  await waitFor(async () => (await store.list({ status: 'processed', limit: 2 * EVENTS })).length === EVENTS, 15_000, 'every event to be processed')
  for (const id of ids) expect(await store.get({ provider: 'github', eventId: id })).toMatchObject({ status: 'processed', fence: 2 })
}

const once = new Map(ids.map((id) => [id, 1]))

describeEachTransactionStore('ctx.transaction in a process killed with SIGKILL', (kind) => {
  it(`ctx.transaction(fn) of a process SIGKILLed just after it returned, on the first run of ${EVENTS} events: after the takeover every event is processed and its row exists once, the killed process's`, async () => {
    const place = await kind.fresh('tx-after')
    const { afterCrash, first } = await crash(place, 'after-commit')
    expect(afterCrash).toHaveLength(EVENTS)
    expect(countsByEvent(afterCrash)).toEqual(once)
    expect(afterCrash.filter((row) => row.writer !== first)).toEqual([])
    await everyEventProcessed(place)
    // The takeover skipped the handler its transaction had recorded: not one row more.
    expect(await place.effects.rows()).toEqual(afterCrash)
  }, 60_000)

  it(`ctx.transaction(fn) of a process SIGKILLed inside fn after its write, on the first run of ${EVENTS} events: no row after the crash, then every event processed and its row written once, by the takeover`, async () => {
    const place = await kind.fresh('tx-inside')
    const { afterCrash, second } = await crash(place, 'inside')
    expect(afterCrash).toEqual([])
    await everyEventProcessed(place)
    const rows = await place.effects.rows()
    expect(rows).toHaveLength(EVENTS)
    expect(countsByEvent(rows)).toEqual(once)
    expect(rows.filter((row) => row.writer !== second)).toEqual([])
  }, 60_000)
})
