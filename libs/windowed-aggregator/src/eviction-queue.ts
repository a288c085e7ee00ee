/* eslint-disable @typescript-eslint/no-non-null-assertion -- hot loops index within bounds they
   check themselves; noUncheckedIndexedAccess cannot see that, and a fallback would cost. */
import { MinHeap } from './min-heap';
import { compareByKeyThenStart, type WindowAccumulator } from './window-accumulator';

interface Bucket<M> {
  readonly endMs: number;
  items: WindowAccumulator<M>[];
  /** Items before head were already taken. */
  head: number;
  sorted: boolean;
}

/**
 * Open windows by (end, key, start): the order in which the open-window cap evicts them.
 * Windows sharing an end share one bucket (tumbling windows of thousands of keys end together),
 * sorted by key only when eviction reaches it.
 *
 * Windows mostly close by their own key's time, which the queue does not hear of: entries of
 * windows no longer open are skipped when met, and the partition builds the queue anew from
 * its open windows when such entries outnumber them (`needsCompaction`), so its size stays
 * proportional to the open windows. A session's end only grows, so its entry is a lower bound: met under an end it
 * has left, it is queued again under its current end. Either way the order in which windows
 * leave the queue depends only on their current ends and keys, never on how the queue was built,
 * which is what lets a restored snapshot (queued at exact ends) evict identically.
 */
export class EvictionQueue<M> {
  private readonly buckets = new Map<number, Bucket<M>>();
  private readonly ends = new MinHeap<number>((endMs) => endMs);
  /** Entries held, stale ones included. */
  private entries = 0;

  add(window: WindowAccumulator<M>): void {
    const endMs = window.endMs;
    let bucket = this.buckets.get(endMs);
    if (bucket === undefined) {
      bucket = { endMs, items: [], head: 0, sorted: true };
      this.buckets.set(endMs, bucket);
      this.ends.push(endMs);
    }
    bucket.items.push(window);
    bucket.sorted = false;
    this.entries++;
  }

  /** True when stale entries outnumber the open windows: time to rebuild. */
  needsCompaction(openWindows: number): boolean {
    return this.entries > 2 * openWindows + 1_024;
  }

  /** Takes the single oldest open window by (end, key, start). */
  takeOldest(): WindowAccumulator<M> | undefined {
    for (;;) {
      const endMs = this.ends.peek();
      if (endMs === undefined) return undefined;
      const bucket = this.buckets.get(endMs)!;
      if (!bucket.sorted) {
        bucket.items = bucket.items.slice(bucket.head).sort(compareByKeyThenStart);
        bucket.head = 0;
        bucket.sorted = true;
      }
      while (bucket.head < bucket.items.length) {
        const window = bucket.items[bucket.head++]!;
        this.entries--;
        if (!window.open) continue;
        if (window.endMs > endMs) {
          this.add(window);
          continue;
        }
        if (bucket.head === bucket.items.length) this.removeBucket(endMs);
        return window;
      }
      this.removeBucket(endMs);
    }
  }

  private removeBucket(endMs: number): void {
    this.buckets.delete(endMs);
    this.ends.pop();
  }
}
