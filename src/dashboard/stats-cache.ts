/**
 * `load(arg)` reused for `ttlMs` while `arg` stays the same: a page load every second on
 * a big inbox costs one GROUP BY per TTL, and there is no counter row for instances to
 * fight over.
 */
export function shortCache<A extends unknown[], T>(ttlMs: number, now: () => number, load: (...args: A) => Promise<T>) {
  let last: { at: number; key: string; value: Promise<T> } | undefined
  return (...args: A): Promise<T> => {
    const key = JSON.stringify(args)
    if (last && last.key === key && now() - last.at < ttlMs) return last.value
    const entry = { at: now(), key, value: load(...args) }
    last = entry
    // A failure is not kept: the next page load asks the store again.
    entry.value.catch(() => {
      if (last === entry) last = undefined
    })
    return entry.value
  }
}
