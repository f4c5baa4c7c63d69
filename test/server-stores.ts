// The server dialects (Postgres, MySQL/MariaDB) as one list, so a guarantee is written once
// and `describe.each(SERVER_STORES)` runs it on each: what differs between them is here.
import { execFileSync } from 'node:child_process'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { describe } from 'vitest'
import type { TransactionalKeys, TransactionalStore } from '../src/store.js'
import { mysqlStore } from '../src/stores/mysql/index.js'
import { postgresStore } from '../src/stores/postgres/index.js'
import type { UserTable } from '../src/testing/vitest.js'
import { effectsAt, userTable } from './effects-table.js'
import { createDatabase, MYSQL_URL } from './mysql-helpers.js'
import { onCleanup } from './node-helpers.js'
import { dropAfterTest, freshSchema, PG_URL } from './postgres-helpers.js'

/** `unknown`: each dialect's transaction handle; a place's `effects` takes the one its stores hand out. */
export type ServerStore = TransactionalStore<unknown> & { readonly keys: TransactionalKeys<unknown>; ready(): Promise<void> }

/** An empty schema (Postgres) or database (MySQL) of one test's own, dropped after it. */
export interface Place {
  /** What a store and the CLI's `--db` connect to. */
  url: string
  /** What else the CLI needs to find it (Postgres: `--schema`). */
  cliFlags: string[]
  /** The environment that points test/e2e/fixtures/ledger-server.ts at it. */
  serverEnv: Record<string, string>
  /** A store on it (another instance each call), closed after the test. */
  open(options?: { migrate?: boolean }): ServerStore
  /** The user's table `effects` beside the store's (create it once a store is ready), written through its transactions. */
  effects: UserTable<unknown>
}

export interface ServerDialect {
  name: 'postgres' | 'mysql'
  /** The shared test server's URL; '' when its variable is unset, and the suites skip. */
  url: string
  /** The `describe` title: which server, or why the suite skips. */
  title: string
  /** Postgres wakes sweepers with NOTIFY; MySQL has none, so its sweepers find work by polling. */
  notifies: boolean
  /** A store on `url`'s own default place, closed after the test: for a URL no test server answers. */
  storeAt(url: string): ServerStore
  /** An empty place of its own on the server at `serverUrl` (the shared one by default). */
  fresh(tag: string, serverUrl?: string): Promise<Place>
  /** Starts a server of the test's own (stopped and removed after the test), to stop and start under load. */
  ownServer(): OwnServer
}

export interface OwnServer {
  url: string
  stop(): void
  start(): void
}

const closeAfterTest = <S extends ServerStore>(store: S) => {
  onCleanup(() => store.close())
  return store
}

/** A server in a temp dir of its own, driven by the .ci script that CI starts the shared one with. */
function ownServer(script: string, tag: string): OwnServer {
  // Under tmpdir, which the server's user (postgres, mysql) can reach when tests run as root.
  const dir = mkdtempSync(join(tmpdir(), `webhook-inbox-${tag}-server-`))
  // The script's progress lines stay quiet; a failure's error carries them.
  const run = (command: 'start' | 'stop') => execFileSync('bash', [script, command, dir], { encoding: 'utf8', stdio: 'pipe' }).trim()
  const url = run('start')
  onCleanup(() => {
    run('stop')
    rmSync(dir, { recursive: true, force: true })
  })
  return { url, stop: () => void run('stop'), start: () => void run('start') }
}

const title = (name: string, url: string, variable: string, script: string) =>
  url ? name : `${name} (skipped: set ${variable}, or run through bash ${script} run)`

const postgres: ServerDialect = {
  name: 'postgres',
  url: PG_URL,
  title: title('Postgres', PG_URL, 'WEBHOOK_INBOX_TEST_PG_URL', '.ci/postgres.sh'),
  notifies: true,
  storeAt: (url) => closeAfterTest(postgresStore({ connectionString: url })),
  async fresh(tag, serverUrl = PG_URL) {
    const schema = freshSchema(tag)
    dropAfterTest(schema, serverUrl)
    const serverEnv = { PG_URL: serverUrl, PG_SCHEMA: schema }
    return {
      url: serverUrl,
      cliFlags: ['--schema', schema],
      serverEnv,
      open: (options = {}) => closeAfterTest(postgresStore({ connectionString: serverUrl, schema, ...options })),
      effects: userTable(effectsAt(serverEnv)),
    }
  },
  ownServer: () => ownServer('.ci/postgres.sh', 'pg'),
}

const mysql: ServerDialect = {
  name: 'mysql',
  url: MYSQL_URL,
  title: title('MySQL', MYSQL_URL, 'WEBHOOK_INBOX_TEST_MYSQL_URL', '.ci/mariadb.sh'),
  notifies: false,
  storeAt: (url) => closeAfterTest(mysqlStore({ uri: url })),
  async fresh(tag, serverUrl = MYSQL_URL) {
    const { url } = await createDatabase(tag, serverUrl)
    const serverEnv = { MYSQL_URL: url }
    return {
      url,
      cliFlags: [],
      serverEnv,
      open: (options = {}) => closeAfterTest(mysqlStore({ uri: url, ...options })),
      effects: userTable(effectsAt(serverEnv)),
    }
  },
  ownServer: () => ownServer('.ci/mariadb.sh', 'mysql'),
}

/** Every server dialect, each skipped (with its title saying how to run it) without its URL. */
export const SERVER_STORES: readonly ServerDialect[] = [postgres, mysql]

/** `describe(title)` once per server dialect, each skipped without its URL; `title` names the dialect. */
export function describeEachServer(title: string, body: (dialect: ServerDialect) => void) {
  for (const dialect of SERVER_STORES) describe.skipIf(!dialect.url)(`${title} (${dialect.title})`, () => body(dialect))
}
