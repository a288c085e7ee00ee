/* eslint-disable @typescript-eslint/no-non-null-assertion -- hot loops index within bounds they
   check themselves; noUncheckedIndexedAccess cannot see that, and a fallback would cost. */
/** A binary min-heap ordered by a numeric priority. */
export class MinHeap<T> {
  private readonly items: T[] = [];

  constructor(private readonly priority: (item: T) => number) {}

  get size(): number {
    return this.items.length;
  }

  peek(): T | undefined {
    return this.items[0];
  }

  push(item: T): void {
    const items = this.items;
    items.push(item);
    let i = items.length - 1;
    const p = this.priority(item);
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if (this.priority(items[parent]!) <= p) break;
      items[i] = items[parent]!;
      i = parent;
    }
    items[i] = item;
  }

  pop(): T | undefined {
    const items = this.items;
    const top = items[0];
    const last = items.pop();
    if (items.length === 0 || last === undefined) return top;
    const p = this.priority(last);
    let i = 0;
    const n = items.length;
    for (;;) {
      const left = 2 * i + 1;
      if (left >= n) break;
      const right = left + 1;
      const child =
        right < n && this.priority(items[right]!) < this.priority(items[left]!) ? right : left;
      if (this.priority(items[child]!) >= p) break;
      items[i] = items[child]!;
      i = child;
    }
    items[i] = last;
    return top;
  }
}
