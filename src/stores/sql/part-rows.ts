import { and, asc, eq, lt, sql, type Column } from 'drizzle-orm'

/** The columns of webhook_event_parts, in every dialect that stores bodies in parts. */
export interface PartColumns {
  digest: Column
  part: Column
}

const p = (name: string) => sql.placeholder(name)

/** A body part's row, over named parameters digest, part, data and now. */
export const PART_ROW = { digest: p('digest'), part: p('part'), data: p('data'), createdAt: p('now') } as const

/** A body's parts after the first (`count` parts in all), in order, over named parameters digest and count. */
export const laterParts = (parts: PartColumns) => ({ where: and(eq(parts.digest, p('digest')), lt(parts.part, p('count')))!, order: asc(parts.part) })
