import { MinHeap } from './min-heap';

/**
 * Items due at a time, grouped by that time: many keys retiring at one window end cost one
 * array push each instead of a heap operation each.
 */
export class TimeBuckets<T> {
  private readonly buckets = new Map<number, T[]>();
  private readonly times = new MinHeap<number>((atMs) => atMs);
  /** The earliest time with items; Infinity when empty. */
  nextMs = Infinity;
  /** The time of the bucket takeDue last returned. */
  lastTakenMs = -Infinity;

  add(atMs: number, item: T): void {
    const bucket = this.buckets.get(atMs);
    if (bucket !== undefined) {
      bucket.push(item);
      return;
    }
    this.buckets.set(atMs, [item]);
    this.times.push(atMs);
    if (atMs < this.nextMs) this.nextMs = atMs;
  }

  /** Removes and returns the items of the earliest time if it is at or before `limitMs`. */
  takeDue(limitMs: number): T[] | undefined {
    const atMs = this.nextMs;
    if (atMs > limitMs) return undefined;
    const bucket = this.buckets.get(atMs);
    if (bucket === undefined)
      throw new Error(`Broken invariant: TimeBuckets has no bucket for its earliest time ${atMs}`);
    this.buckets.delete(atMs);
    this.times.pop();
    this.lastTakenMs = atMs;
    this.nextMs = this.times.peek() ?? Infinity;
    return bucket;
  }
}
