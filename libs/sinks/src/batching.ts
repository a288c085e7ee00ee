/**
 * Keeps the last item of each key, in key order. One statement may not touch a row twice
 * ("ON CONFLICT DO UPDATE command cannot affect row a second time"), and the last write of a
 * key is the newest. Sorting gives every transaction the same lock order, so two writers of
 * overlapping keys (a zombie after a rebalance) wait for each other instead of deadlocking.
 */
export function lastWinsByKey<T>(items: readonly T[], keyOf: (item: T) => string): T[] {
  const byKey = new Map<string, T>();
  for (const item of items) byKey.set(keyOf(item), item);
  return [...byKey.keys()].sort().map((key) => byKey.get(key) as T);
}

/** Splits into slices of at most `size`. */
export function chunk<T>(items: readonly T[], size: number): T[][] {
  if (!(size >= 1)) throw new RangeError(`chunk size must be >= 1, got ${size}`);
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
}
