/* eslint-disable @typescript-eslint/no-non-null-assertion -- hot loops index within bounds they
   check themselves; noUncheckedIndexedAccess cannot see that, and a fallback would cost. */
/**
 * Sorted arrays of distinct event times: what duplicate detection checks against. Plain
 * number arrays (8 bytes a time, unboxed) rather than a Set: in-order readings append in
 * O(1), lookups are binary searches, closing a window drops a prefix.
 */
export function hasTime(times: readonly number[], eventTimeMs: number): boolean {
  const n = times.length;
  if (n === 0 || eventTimeMs > times[n - 1]!) return false;
  return times[lowerBound(times, eventTimeMs)] === eventTimeMs;
}

/** Adds a time not already present (callers check hasTime first). */
export function insertTime(times: number[], eventTimeMs: number): void {
  const n = times.length;
  if (n === 0 || eventTimeMs > times[n - 1]!) times.push(eventTimeMs);
  else times.splice(lowerBound(times, eventTimeMs), 0, eventTimeMs);
}

/** Drops every time before `eventTimeMs`. */
export function dropTimesBefore(times: number[], eventTimeMs: number): void {
  const count = lowerBound(times, eventTimeMs);
  if (count > 0) times.splice(0, count);
}

/** Index of the first time >= eventTimeMs. */
function lowerBound(times: readonly number[], eventTimeMs: number): number {
  let lo = 0;
  let hi = times.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (times[mid]! < eventTimeMs) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}
