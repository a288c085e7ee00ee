/* eslint-disable @typescript-eslint/no-non-null-assertion -- hot loops index within bounds they
   check themselves; noUncheckedIndexedAccess cannot see that, and a fallback would cost. */
/**
 * The distinct event times a key holds in its open windows: what duplicate detection checks
 * against. A sorted array of numbers (8 bytes each) rather than a Set: in-order readings
 * append in O(1), lookups are binary searches, and closing a window drops a prefix.
 */
export class EventTimeSet {
  private times: number[] = [];

  get size(): number {
    return this.times.length;
  }

  has(eventTimeMs: number): boolean {
    const times = this.times;
    const n = times.length;
    if (n === 0 || eventTimeMs > times[n - 1]!) return false;
    return times[this.lowerBound(eventTimeMs)] === eventTimeMs;
  }

  /** Adds a time not already present (callers check `has` first). */
  add(eventTimeMs: number): void {
    const times = this.times;
    const n = times.length;
    if (n === 0 || eventTimeMs > times[n - 1]!) times.push(eventTimeMs);
    else times.splice(this.lowerBound(eventTimeMs), 0, eventTimeMs);
  }

  /** Forgets every time before `eventTimeMs` (they belong to windows now closed). */
  deleteBefore(eventTimeMs: number): void {
    const count = this.lowerBound(eventTimeMs);
    if (count > 0) this.times.splice(0, count);
  }

  clear(): void {
    this.times.length = 0;
  }

  toArray(): number[] {
    return this.times.slice();
  }

  /** Trusts `sortedDistinct` (validated by the snapshot reader). */
  static fromSorted(sortedDistinct: readonly number[]): EventTimeSet {
    const set = new EventTimeSet();
    set.times = sortedDistinct.slice();
    return set;
  }

  /** Index of the first time >= eventTimeMs. */
  private lowerBound(eventTimeMs: number): number {
    const times = this.times;
    let lo = 0;
    let hi = times.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (times[mid]! < eventTimeMs) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }
}
