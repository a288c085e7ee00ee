/* eslint-disable @typescript-eslint/no-non-null-assertion -- hot loops index within bounds they
   check themselves; noUncheckedIndexedAccess cannot see that, and a fallback would cost. */
import { MinHeap } from './min-heap';
import { compareByKeyThenStart, type WindowAccumulator } from './window-accumulator';

interface Bucket<M> {
  readonly endMs: number;
  items: WindowAccumulator<M>[];
  /** Items before head were already taken by eviction. */
  head: number;
  sorted: boolean;
}

/**
 * Open windows by end time, so the watermark closes them and eviction finds the oldest in
 * emission order: (end, key). Windows sharing an end share one bucket: tumbling windows over
 * 10,000 keys close as one bucket, sorted once.
 *
 * A window is queued once, under an end that may only be a lower bound: a session's end grows
 * as readings extend it, and re-queuing it on every reading would flood the queue. When its
 * bucket comes due, a window that has moved on is re-queued under its current end, and one no
 * longer open (emitted, or merged into another session) is dropped. Either way the order in
 * which windows leave the queue depends only on their current ends and keys, never on how the
 * queue was built, which is what lets a restored snapshot (queued at exact ends) replay
 * identically.
 */
export class CloseQueue<M> {
  private readonly buckets = new Map<number, Bucket<M>>();
  private readonly ends = new MinHeap<number>((endMs) => endMs);

  /** A lower bound of the earliest open window's end; Infinity when empty. */
  nextEndMs = Infinity;

  add(window: WindowAccumulator<M>): void {
    const endMs = window.endMs;
    let bucket = this.buckets.get(endMs);
    if (bucket === undefined) {
      bucket = { endMs, items: [], head: 0, sorted: true };
      this.buckets.set(endMs, bucket);
      this.ends.push(endMs);
      if (endMs < this.nextEndMs) this.nextEndMs = endMs;
    }
    bucket.items.push(window);
    bucket.sorted = false;
  }

  /**
   * Takes the open windows ending exactly at the earliest queued end, if that end is at or
   * before `limitMs`, sorted by key. Returns undefined when nothing is due; an empty array
   * when the earliest bucket held only stale entries (call again).
   */
  takeDue(limitMs: number): WindowAccumulator<M>[] | undefined {
    const endMs = this.nextEndMs;
    if (endMs > limitMs) return undefined;
    const bucket = this.removeBucket(endMs);
    const due: WindowAccumulator<M>[] = [];
    const items = bucket.items;
    for (let i = bucket.head; i < items.length; i++) {
      const window = items[i]!;
      if (!window.open) continue;
      if (window.endMs > endMs) this.add(window);
      else due.push(window);
    }
    if (due.length > 1) due.sort(compareByKeyThenStart);
    return due;
  }

  /** Takes the single oldest open window by (end, key), for eviction. */
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

  private removeBucket(endMs: number): Bucket<M> {
    const bucket = this.buckets.get(endMs)!;
    this.buckets.delete(endMs);
    this.ends.pop();
    this.nextEndMs = this.ends.peek() ?? Infinity;
    return bucket;
  }
}
