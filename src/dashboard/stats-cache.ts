/**
 * One in-flight or recent value per key, kept `ttlMs`: a page load every second on a big
 * inbox costs one GROUP BY per TTL, and there is no counter row for instances to fight over.
 */
export function shortCache<T>(ttlMs: number, now: () => number) {
  const entries = new Map<string, { at: number; value: Promise<T> }>()
  return (key: string, load: () => Promise<T>): Promise<T> => {
    const hit = entries.get(key)
    if (hit && now() - hit.at < ttlMs) return hit.value
    const value = load()
    entries.set(key, { at: now(), value })
    // A failure is not cached: the next page load asks the store again.
    value.catch(() => entries.delete(key))
    return value
  }
}
