import { fileURLToPath } from 'node:url'
import { drizzle } from 'drizzle-orm/mysql2'
import { migrate } from 'drizzle-orm/mysql2/migrator'
import type { RowDataPacket } from 'mysql2'
import type { Pool } from 'mysql2/promise'
import { migrationsFolder } from '../sql/migrations-folder.js'

const MIGRATIONS = fileURLToPath(migrationsFolder('drizzle-mysql'))
const LOCK_WAIT_S = 300

/**
 * Applies the pending drizzle-mysql/ migrations to the pool's database, recording them in
 * its `__drizzle_migrations`. A named lock (GET_LOCK, per database: the names are
 * server-wide) makes ten instances starting at once apply them once: the others wait,
 * then find nothing pending. The lock is the session's, so a connection that dies frees it.
 */
export async function migrateMysql(pool: Pool): Promise<void> {
  const connection = await pool.getConnection()
  // Hashed: a lock name holds at most 64 characters on MySQL, and a database name alone as many.
  const lock = "CONCAT('webhook-inbox ', SHA1(DATABASE()))"
  try {
    const [[row]] = await connection.query<({ locked: number | null } & RowDataPacket)[]>(`SELECT GET_LOCK(${lock}, ?) AS locked`, [LOCK_WAIT_S])
    if (row?.locked !== 1) throw new Error(`waited ${LOCK_WAIT_S} s for another instance's migrations (GET_LOCK)`)
    try {
      await migrate(drizzle({ client: connection }), { migrationsFolder: MIGRATIONS })
    } finally {
      await connection.query(`SELECT RELEASE_LOCK(${lock})`)
    }
  } finally {
    connection.release()
  }
}
