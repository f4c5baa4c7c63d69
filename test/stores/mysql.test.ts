import { readFileSync } from 'node:fs'
import mysql from 'mysql2/promise'
import { sql } from 'drizzle-orm'
import { describe, expect, it } from 'vitest'
import type { WebhookError } from '../../src/errors.js'
import { mysqlStore } from '../../src/stores/mysql/index.js'
import { NOW, waitFor } from '../helpers.js'
import { adminQuery, createDatabase, MYSQL_URL, tempMysqlStore } from '../mysql-helpers.js'
import { onCleanup } from '../node-helpers.js'

const event = (eventId: string) => ({ provider: 'github', eventId, type: 'issues', body: '{}', headers: {} })
const request = (key: string) => ({ scope: 'acct_1', key, fingerprint: 'f'.repeat(64), method: 'POST', path: '/orders' })

describe.skipIf(!MYSQL_URL)('mysql', () => {
  describe('mysqlStore specifics', () => {
    it('mysqlStore() from 10 stores starting at once applies every migration exactly once', async () => {
      const { database, url } = await createDatabase('migrate')
      const stores = Array.from({ length: 10 }, () => mysqlStore({ uri: url, poolMax: 2 }))
      onCleanup(() => Promise.all(stores.map((s) => s.close())).then(() => {}))
      await Promise.all(stores.map((s) => s.ready()))
      const journal = JSON.parse(readFileSync('drizzle-mysql/meta/_journal.json', 'utf8')) as { entries: unknown[] }
      expect(await adminQuery(`select count(*) as n from \`${database}\`.__drizzle_migrations`)).toEqual([{ n: journal.entries.length }])
      const tables = (await adminQuery('select table_name as name from information_schema.tables where table_schema = ? order by 1', [database])) as { name: string }[]
      expect(tables.map((r) => r.name).sort()).toEqual(['__drizzle_migrations', 'idempotency_key_parts', 'idempotency_keys', 'webhook_entities', 'webhook_event_parts', 'webhook_events', 'webhook_handler_runs'])
    })

    it('mysqlStore({ migrate: false }) creates nothing, and its claim() rejects until the database is migrated', async () => {
      const { store, database } = await tempMysqlStore({ migrate: false })
      await store.ready()
      await expect(store.claim(event('m1'), { now: NOW, leaseMs: 1000 })).rejects.toThrow(/webhook_events/)
      expect(await adminQuery('select table_name from information_schema.tables where table_schema = ?', [database])).toEqual([])
    })

    it('store.claim() treats event ids that differ only in case or a trailing space as three events', async () => {
      const { store } = await tempMysqlStore()
      const outcomes = await Promise.all(['evt_a', 'evt_A', 'evt_a '].map(async (id) => (await store.claim(event(id), { now: NOW, leaseMs: 1000 })).outcome))
      expect(outcomes).toEqual(['claimed', 'claimed', 'claimed'])
      expect((await store.list()).map((e) => e.eventId).sort()).toEqual(['evt_A', 'evt_a', 'evt_a '])
    })

    it("store.keys.begin() treats keys that differ only in case or a trailing space as different keys", async () => {
      const { store } = await tempMysqlStore()
      const outcomes = await Promise.all(['Key-1', 'key-1', 'key-1 '].map(async (key) => (await store.keys.begin(request(key), { now: NOW, lockMs: 1000, ttl: 86_400_000 })).outcome))
      expect(outcomes).toEqual(['started', 'started', 'started'])
    })

    it('store.keys.finish() keeps a 13 MB response, over max_allowed_packet once base64-encoded, and get() returns it byte for byte', async () => {
      const { store } = await tempMysqlStore()
      const [{ packet }] = (await adminQuery('select @@max_allowed_packet as packet')) as [{ packet: number }]
      const body = new Uint8Array(13_000_000).map((_, i) => (i * 7919) % 251)
      expect(Math.ceil(body.length / 3) * 4).toBeGreaterThan(packet)
      const begun = await store.keys.begin(request('big-answer'), { now: NOW, lockMs: 1000, ttl: 86_400_000 })
      if (begun.outcome !== 'started') throw new Error(`begin: ${begun.outcome}`)
      const response = { status: 201, headers: { 'content-type': 'application/octet-stream' }, body }
      expect(await store.keys.finish(request('big-answer'), begun.token, response, { now: NOW, ttl: 86_400_000 })).toBe(true)
      const kept = (await store.keys.get(request('big-answer')))?.response
      expect([kept?.status, kept?.body.length, Buffer.compare(Buffer.from(kept!.body), Buffer.from(body))]).toEqual([201, body.length, 0])
    }, 60_000)

    it("store.get() returns a 25 MB body whole from a server whose max_allowed_packet is smaller", async () => {
      const { store } = await tempMysqlStore()
      const [{ packet }] = (await adminQuery('select @@max_allowed_packet as packet')) as [{ packet: number }]
      const body = `{"text":"${'ä'.padEnd(1000, 'x').repeat(25_000)}"}`
      expect(Buffer.byteLength(body)).toBeGreaterThan(packet)
      await store.claim({ ...event('gitlab-big'), body, digest: 'e'.repeat(64) }, { now: NOW, leaseMs: 1000 })
      expect((await store.get({ provider: 'github', eventId: 'gitlab-big' }))?.body === body).toBe(true)
    }, 60_000)

    it('mysqlStore() connects with a password holding an unencoded / and @, and a wrong one is refused naming the target, never the password', async () => {
      const password = 'p/ss@w0rd?x'
      const user = `odd_${process.pid}`
      // No privileges: a user the test server's account may create, and a connection without a database.
      await adminQuery(`CREATE USER '${user}'@'127.0.0.1' IDENTIFIED BY '${password}'`)
      onCleanup(() => adminQuery(`DROP USER '${user}'@'127.0.0.1'`).then(() => {}))
      const { hostname: host, port } = new URL(MYSQL_URL)
      const good = mysqlStore({ uri: `mysql://${user}:${password}@${host}:${port}/`, migrate: false })
      onCleanup(() => good.close())
      await good.ready()
      const bad = mysqlStore({ uri: `mysql://${user}:${password}-wrong@${host}:${port}/webhooks` })
      onCleanup(() => bad.close())
      const error = await bad.ready().then(() => undefined, (e: unknown) => e as WebhookError)
      expect(error).toMatchObject({ code: 'store_unavailable', status: 503 })
      expect(error!.message).toContain(`${host}:${port}/webhooks`)
      expect(error!.message).not.toContain(password)
      expect(error!.message.split('\n')).toHaveLength(1)
    })

    it('mysqlStore() connects with the scheme in any case (MySQL://, MARIADB://), as the CLI and npm start accept it', async () => {
      const rest = MYSQL_URL.replace(/^mysql:/, '')
      for (const scheme of ['MySQL:', 'MARIADB:']) {
        const store = mysqlStore({ uri: `${scheme}${rest}`, migrate: false })
        onCleanup(() => store.close())
        await store.ready()
      }
    })

    it('mysqlStore() throws for a uri that is not a mysql:// URL', () => {
      expect(() => mysqlStore({ uri: 'postgres://inbox@127.0.0.1/inbox' })).toThrow(/mysql:\/\//)
    })

    it('store.close() leaves a pool passed in open for its owner', async () => {
      const { url } = await createDatabase()
      const pool = mysql.createPool({ uri: url, connectionLimit: 2 })
      onCleanup(() => pool.end())
      const store = mysqlStore({ pool })
      await store.claim(event('own'), { now: NOW, leaseMs: 1000 })
      await store.close()
      expect((await pool.query('select 1 as one'))[0]).toEqual([{ one: 1 }])
      await expect(store.get({ provider: 'github', eventId: 'own' })).rejects.toMatchObject({ code: 'store_unavailable' })
    })

    /** A store whose connections give up on a row lock after 1 s (errno 1205), and a connection of its own holding rows locked in an open transaction. */
    async function lockWaitsOneSecond() {
      const { url } = await createDatabase('tx_lock')
      const pool = mysql.createPool({ uri: url, connectionLimit: 2 })
      pool.on('connection', (connection) => void connection.query('SET SESSION innodb_lock_wait_timeout = 1'))
      onCleanup(() => pool.end())
      const store = mysqlStore({ pool })
      onCleanup(() => store.close())
      await store.ready()
      const blocker = await mysql.createConnection(url)
      onCleanup(() => blocker.end())
      await blocker.query('CREATE TABLE effects (id varchar(64) PRIMARY KEY)')
      await blocker.query("INSERT INTO effects VALUES ('locked')")
      await blocker.query('BEGIN')
      return { store, blocker }
    }

    it("store.transaction() whose row lock timed out waiting (1205) runs the transaction again, and fn once, when the row is free", async () => {
      const { store, blocker } = await lockWaitsOneSecond()
      const key = { provider: 'github', eventId: 'tx-lock' }
      await store.claim(event('tx-lock'), { now: NOW, leaseMs: 60_000 })
      await blocker.query('SELECT id FROM webhook_events WHERE event_id = ? FOR UPDATE', ['tx-lock'])
      let calls = 0
      const result = store.transaction({ key, fence: 1, handler: 'ledger', generation: 0, now: NOW + 1 }, () => ++calls)
      // How long the store's lock statement (its SELECT … FOR UPDATE of the event row) has run, in ms, as
      // MariaDB reports it; undefined while none runs. It starts again from 0 when the transaction runs again.
      const lockStatementMs = async () => {
        const [rows] = await blocker.query(
          "SELECT TIME_MS AS ms FROM information_schema.PROCESSLIST WHERE DB = DATABASE() AND ID <> CONNECTION_ID() AND INFO LIKE 'select `id` from `webhook_events`%'",
        )
        const [row] = rows as { ms: number | string }[]
        return row === undefined ? undefined : Number(row.ms)
      }
      let longest = 0
      await waitFor(async () => {
        const ms = await lockStatementMs()
        // The row stays locked, so the statement ends only by its 1 s timeout: one younger than
        // one seen before is the transaction run again.
        if (ms !== undefined && ms < longest) return true
        longest = Math.max(longest, ms ?? 0)
        return false
      }, 5000, 'the transaction run again after its first lock wait timed out')
      await blocker.query('COMMIT')
      expect(await result).toEqual({ held: true, value: 1 })
      expect(calls).toBe(1)
      expect(await store.handled(key, 0)).toEqual(['ledger'])
    })

    it('store.transaction() whose fn fails on a lock wait timeout (1205) rejects with that error and never runs fn again', async () => {
      const { store, blocker } = await lockWaitsOneSecond()
      const key = { provider: 'github', eventId: 'tx-user-lock' }
      await store.claim(event('tx-user-lock'), { now: NOW, leaseMs: 60_000 })
      await blocker.query("SELECT id FROM effects WHERE id = 'locked' FOR UPDATE")
      let calls = 0
      const result = store.transaction({ key, fence: 1, handler: 'ledger', generation: 0, now: NOW + 1 }, async (tx) => {
        calls++
        await tx.execute(sql`UPDATE effects SET id = 'changed' WHERE id = 'locked'`)
      })
      await expect(result).rejects.toMatchObject({ cause: expect.objectContaining({ errno: 1205 }) })
      await blocker.query('ROLLBACK')
      expect(calls).toBe(1)
      expect(await store.handled(key, 0)).toEqual([])
    })
  })
})
