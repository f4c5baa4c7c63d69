/**
 * D1 refuses a value over about 2,000,000 bytes (SQLITE_TOOBIG), while providers send
 * bodies of up to 25 MiB. A body is stored in parts of at most this many UTF-16 code
 * units: at most 3 UTF-8 bytes each, so a part stays under 1.5 MB on every store.
 */
export const PART_LENGTH = 500_000

/** Splits a body into parts, never between the two halves of a surrogate pair. */
export function splitBody(body: string, length = PART_LENGTH): string[] {
  const parts: string[] = []
  let start = 0
  do {
    let end = Math.min(start + length, body.length)
    const last = body.charCodeAt(end - 1)
    if (end < body.length && last >= 0xd800 && last <= 0xdbff) end--
    parts.push(body.slice(start, end))
    start = end
  } while (start < body.length)
  return parts
}

/** A driver's result to await: D1's statements are promises, better-sqlite3's run at once. */
export const isPromise = <T>(value: T | PromiseLike<T>): value is PromiseLike<T> =>
  typeof (value as PromiseLike<T> | undefined)?.then === 'function'
