// The user's own table that the ctx.transaction guarantees write to, in the store's own
// database, on every store with transactions (SQLite, Postgres, MySQL). Without vitest:
// test/e2e/fixtures/transaction-server.ts uses it too.
import Database from 'better-sqlite3'
import { type SQL, sql } from 'drizzle-orm'
import mysql from 'mysql2/promise'
import pg from 'pg'
import type { UserTable } from '../src/testing/vitest.js'

export interface Effect {
  eventId: string
  /** Who wrote it: the handler's name, or the writing process's pid. */
  writer: string
}

/**
 * `effects (event_id, writer)`, one row per write. No unique key on event_id, on purpose:
 * a write that happened twice must show as two rows, not be refused by the table.
 */
export interface EffectsTable {
  /** CREATE TABLE IF NOT EXISTS, on a connection of its own. */
  create(): Promise<void>
  /** The INSERT, on the handle `ctx.transaction(fn)` handed `fn`. */
  insert(tx: unknown, eventId: string, writer: string): Promise<void>
  /** Every row, in the order written, read on a connection of its own. */
  rows(): Promise<Effect[]>
}

/** Where a fixture server finds its store (as test/e2e/fixtures/store-from-env.ts reads it): PG_URL and PG_SCHEMA, MYSQL_URL, or WEBHOOK_INBOX_DB. */
export type StoreEnv = Record<string, string | undefined>

// drizzle's SQLite handle runs a statement with run(); the Postgres and MySQL ones with execute().
const run = (tx: unknown, statement: SQL) => void (tx as { run(statement: SQL): unknown }).run(statement)
const execute = async (tx: unknown, statement: SQL) => void (await (tx as { execute(statement: SQL): Promise<unknown> }).execute(statement))
const asEffects = (rows: unknown) => (rows as { event_id: string; writer: string }[]).map((row) => ({ eventId: row.event_id, writer: row.writer }))

function sqliteEffects(path: string): EffectsTable {
  const withDatabase = <R>(use: (db: Database.Database) => R) => {
    const db = new Database(path)
    try {
      db.pragma('busy_timeout = 5000')
      return use(db)
    } finally {
      db.close()
    }
  }
  return {
    create: async () => withDatabase((db) => void db.exec('CREATE TABLE IF NOT EXISTS effects (event_id TEXT NOT NULL, writer TEXT NOT NULL)')),
    insert: async (tx, eventId, writer) => run(tx, sql`INSERT INTO effects (event_id, writer) VALUES (${eventId}, ${writer})`),
    rows: async () => asEffects(withDatabase((db) => db.prepare('SELECT event_id, writer FROM effects ORDER BY rowid').all())),
  }
}

function postgresEffects(url: string, schema: string): EffectsTable {
  // The store's transaction handle does not set search_path, so the table is named with its schema.
  const table = sql`${sql.identifier(schema)}.effects`
  const query = async (text: string) => {
    const client = new pg.Client({ connectionString: url })
    await client.connect()
    try {
      return (await client.query(text)).rows
    } finally {
      await client.end()
    }
  }
  const quoted = `"${schema.replaceAll('"', '""')}"`
  return {
    async create() {
      await query(`CREATE SCHEMA IF NOT EXISTS ${quoted}`)
      await query(`CREATE TABLE IF NOT EXISTS ${quoted}.effects (id BIGSERIAL PRIMARY KEY, event_id TEXT NOT NULL, writer TEXT NOT NULL)`)
    },
    insert: (tx, eventId, writer) => execute(tx, sql`INSERT INTO ${table} (event_id, writer) VALUES (${eventId}, ${writer})`),
    rows: async () => asEffects(await query(`SELECT event_id, writer FROM ${quoted}.effects ORDER BY id`)),
  }
}

function mysqlEffects(url: string): EffectsTable {
  const query = async (text: string) => {
    const connection = await mysql.createConnection(url)
    try {
      return (await connection.query(text))[0]
    } finally {
      await connection.end()
    }
  }
  return {
    create: async () =>
      void (await query('CREATE TABLE IF NOT EXISTS effects (id BIGINT AUTO_INCREMENT PRIMARY KEY, event_id VARCHAR(255) NOT NULL, writer VARCHAR(255) NOT NULL)')),
    insert: (tx, eventId, writer) => execute(tx, sql`INSERT INTO effects (event_id, writer) VALUES (${eventId}, ${writer})`),
    rows: async () => asEffects(await query('SELECT event_id, writer FROM effects ORDER BY id')),
  }
}

/** The effects table in the database the store of `env` opens. */
export function effectsAt(env: StoreEnv): EffectsTable {
  if (env.PG_URL) return postgresEffects(env.PG_URL, env.PG_SCHEMA ?? 'public')
  if (env.MYSQL_URL) return mysqlEffects(env.MYSQL_URL)
  return sqliteEffects(env.WEBHOOK_INBOX_DB ?? 'webhooks.db')
}

/** The table as the transactions conformance suite's UserTable: its ids are the rows' event ids. */
export function userTable(effects: EffectsTable): UserTable<unknown> {
  return {
    create: () => effects.create(),
    insert: (tx, id) => effects.insert(tx, id, 'conformance'),
    ids: async () => (await effects.rows()).map((row) => row.eventId),
  }
}

/** The number of rows per event id. */
export function countsByEvent(rows: Effect[]): Map<string, number> {
  const counts = new Map<string, number>()
  for (const { eventId } of rows) counts.set(eventId, (counts.get(eventId) ?? 0) + 1)
  return counts
}
