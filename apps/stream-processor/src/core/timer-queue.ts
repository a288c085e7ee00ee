/**
 * Keys due at a time, one live entry per key: `add` keeps the earlier of a key's times (a later
 * one is reached by checking again when the earlier comes due), so a key read every second does
 * not leave an entry per reading. Due keys come out by time, then key, whatever order they were
 * added in: a queue rebuilt from a checkpoint releases them exactly as the original would.
 */
export class TimerQueue {
  private readonly scheduled = new Map<string, number>();
  private readonly buckets = new Map<number, string[]>();
  private readonly times: number[] = [];

  add(atMs: number, key: string): void {
    if ((this.scheduled.get(key) ?? Infinity) <= atMs) return;
    this.scheduled.set(key, atMs);
    const bucket = this.buckets.get(atMs);
    if (bucket !== undefined) bucket.push(key);
    else {
      this.buckets.set(atMs, [key]);
      this.push(atMs);
    }
  }

  /** The keys of the earliest time at or before `limitMs`, sorted; undefined when none is due. */
  takeDue(limitMs: number): string[] | undefined {
    for (;;) {
      const atMs = this.times[0];
      if (atMs === undefined || atMs > limitMs) return undefined;
      this.pop();
      const bucket = this.buckets.get(atMs) ?? [];
      this.buckets.delete(atMs);
      const due = bucket.filter((key) => this.scheduled.get(key) === atMs);
      if (due.length === 0) continue;
      for (const key of due) this.scheduled.delete(key);
      return due.sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
    }
  }

  private push(value: number): void {
    const heap = this.times;
    let i = heap.length;
    heap.push(value);
    while (i > 0) {
      const parent = (i - 1) >> 1;
      const above = heap[parent] as number;
      if (above <= value) break;
      heap[i] = above;
      i = parent;
    }
    heap[i] = value;
  }

  private pop(): void {
    const heap = this.times;
    const last = heap.pop();
    if (last === undefined || heap.length === 0) return;
    let i = 0;
    for (;;) {
      const left = 2 * i + 1;
      if (left >= heap.length) break;
      const right = left + 1;
      const child =
        right < heap.length && (heap[right] as number) < (heap[left] as number) ? right : left;
      if ((heap[child] as number) >= last) break;
      heap[i] = heap[child] as number;
      i = child;
    }
    heap[i] = last;
  }
}
