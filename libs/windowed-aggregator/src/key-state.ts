import { dropTimesBefore, hasTime, insertTime } from './event-time-set';
import type { LateReason } from './outputs';
import type { WindowAccumulator } from './window-accumulator';

/**
 * One key's state within a partition: its own clock, its open windows and what it has already
 * emitted. Every key keeps its own time, so one key's clock or upload rhythm never decides what
 * is late for another. Kept compact on purpose: every reading touches it, and with thousands of
 * keys each extra object on that path is a cache miss.
 */
export class KeyState<M> {
  /** Open windows, ascending by start (and so by end: time windows share a size, sessions are disjoint). */
  readonly windows: WindowAccumulator<M>[] = [];
  /** The last of `windows`, where in-order readings land: spares a look into the array. */
  newest: WindowAccumulator<M> | undefined = undefined;
  /** Event times aggregated into the open windows, sorted: a reading at one is a duplicate. */
  readonly times: number[] = [];
  /** The highest event time this key has sent: its own watermark is this minus the grace. */
  maxEventTimeMs = -Infinity;
  /**
   * Every window of this key ending at or before this was emitted by something other than the
   * key's own watermark (going quiet, a flush, an eviction); -Infinity when nothing was. For
   * sessions also the end of the latest emitted session: a reading before it would have
   * extended that session, so it is late.
   */
  closedUntilMs = -Infinity;
  /** Why closedUntilMs last moved: what a reading late against it is told. */
  closedReason: LateReason = 'window_closed';
  /**
   * The arrival model, from the log times of the key's readings (when they entered the log)
   * and their event times: delay = log time - event time. `delayHighMs` is how late its
   * readings have recently arrived at most, `delayLowMs` at least (the clock's offset shows
   * there: a clock an hour fast sends readings an hour "early"). Both forget at half the
   * speed log time passes. Valid once lastLogTimeMs is finite.
   */
  lastLogTimeMs = -Infinity;
  delayHighMs = 0;
  delayLowMs = 0;
  /** Log time at which the quiet check of this key is queued; Infinity when it is not. */
  quietCheckAtMs = Infinity;
  /** Log time at which forgetting this key is queued; Infinity when it is not. */
  forgetAtMs = Infinity;
  /** Changed since the partition's changes were last taken (incremental snapshots). */
  changed = false;

  constructor(readonly key: string) {}

  /** Learns from one reading's delay. Called for every reading of the key that carries a log time. */
  observeArrival(logTimeMs: number, eventTimeMs: number): void {
    const delayMs = logTimeMs - eventTimeMs;
    if (this.lastLogTimeMs === -Infinity) {
      this.delayHighMs = delayMs;
      this.delayLowMs = delayMs;
      this.lastLogTimeMs = logTimeMs;
      return;
    }
    const elapsedMs = logTimeMs - this.lastLogTimeMs;
    // Half the elapsed log time: a store-and-forward node's upload delay survives the gap to
    // its next upload, while a one-off delay (a link down for an hour) fades in about two.
    const forgetMs = elapsedMs > 0 ? Math.floor(elapsedMs / 2) : 0;
    const high = this.delayHighMs - forgetMs;
    const low = this.delayLowMs + forgetMs;
    this.delayHighMs = delayMs > high ? delayMs : high;
    this.delayLowMs = delayMs < low ? delayMs : low;
    if (logTimeMs > this.lastLogTimeMs) this.lastLogTimeMs = logTimeMs;
  }

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
