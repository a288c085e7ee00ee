import { dropTimesBefore, hasTime, insertTime } from './event-time-set';
import type { WindowAccumulator } from './window-accumulator';

/**
 * One key's state within a partition. Kept compact on purpose: every reading touches it, and
 * with thousands of keys each extra object on that path is a cache miss.
 */
export class KeyState<M> {
  /** Open windows, ascending by start (for sessions also by end: a key's sessions are disjoint). */
  readonly windows: WindowAccumulator<M>[] = [];
  /** The last of `windows`, where in-order readings land: spares a look into the array. */
  newest: WindowAccumulator<M> | undefined = undefined;
  /** Event times aggregated into the open windows, sorted: a reading at one is a duplicate. */
  readonly times: number[] = [];
  /**
   * The end of the latest window of this key already emitted, -Infinity if none is
   * remembered. Needed only while it says more than the partition watermark: after an early
   * eviction (tumbling/hopping), or for sessions until the watermark is a gap past it (a
   * reading just after a closed session would have extended it, so it is late).
   */
  closedUntilMs = -Infinity;

  constructor(readonly key: string) {}

  // The in-order case is inlined here: a cross-module call per reading costs (notably through
  // the getters esbuild/tsx put on CommonJS exports when not bundled).
  hasTime(eventTimeMs: number): boolean {
    const times = this.times;
    const n = times.length;
    if (n === 0 || eventTimeMs > (times[n - 1] ?? Infinity)) return false;
    return hasTime(times, eventTimeMs);
  }

  addTime(eventTimeMs: number): void {
    const times = this.times;
    const n = times.length;
    if (n === 0 || eventTimeMs > (times[n - 1] ?? Infinity)) times.push(eventTimeMs);
    else insertTime(times, eventTimeMs);
  }

  insertWindow(at: number, window: WindowAccumulator<M>): void {
    const windows = this.windows;
    if (at === windows.length) {
      windows.push(window);
      this.newest = window;
    } else windows.splice(at, 0, window);
  }

  /** Removes a window and forgets the times only it held (those before the next window). */
  removeWindow(window: WindowAccumulator<M>): void {
    const windows = this.windows;
    // Windows of a key close oldest first, so this is nearly always the head.
    if (windows[0] === window) windows.shift();
    else windows.splice(windows.indexOf(window), 1);
    this.newest = windows[windows.length - 1];
    const next = windows[0];
    if (next === undefined) this.times.length = 0;
    else dropTimesBefore(this.times, next.startMs);
  }

  /** Removes a session absorbed by its neighbour: its times stay, now the neighbour's. */
  removeMergedWindow(index: number): void {
    this.windows.splice(index, 1);
    this.newest = this.windows[this.windows.length - 1];
  }

  /** Restores windows and times read from a snapshot (already validated). */
  restore(windows: readonly WindowAccumulator<M>[], times: readonly number[]): void {
    this.windows.push(...windows);
    this.newest = windows[windows.length - 1];
    this.times.push(...times);
  }
}
