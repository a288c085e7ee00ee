import type { WindowBounds } from './assignment';
import { EvictionQueue } from './eviction-queue';
import { KeyState } from './key-state';
import type { ClosedWindow, CloseCause, KeyArrival, LateReason, LateRecord } from './outputs';
import type { OverflowPolicy } from './options';
import type { WindowedRecord } from './record';
import { placeInSession } from './session-placement';
import { TimeBuckets } from './time-buckets';
import { placeInTimeWindows } from './time-window-placement';
import type { WindowSpec } from './window-spec';
import { WindowAccumulator } from './window-accumulator';

/** Outcome bits of one record (a hopping record may be both aggregated and late). */
export const AGGREGATED = 1;
export const DUPLICATE = 2;
export const LATE = 4;
export const REPLAYED = 8;

/** Where closed windows and late records go during one call. */
export interface Sink<M> {
  closed: ClosedWindow<M>[];
  late: LateRecord<M>[];
}

export interface PartitionCounters {
  recordsIn: number;
  aggregated: number;
  duplicates: number;
  late: number;
  replayed: number;
  windowsEmitted: number;
  windowsEvicted: number;
}

export interface PartitionLimits {
  readonly maxOpenWindows: number;
  readonly onOverflow: OverflowPolicy;
  readonly maxQuietWaitMs: number;
  readonly keyRetentionMs: number;
}

type Placement = <M>(
  partition: PartitionState<M>,
  state: KeyState<M>,
  record: WindowedRecord<M>,
  eventTimeMs: number,
  sink: Sink<M>,
) => number;

const CLOSED_REASON: Readonly<Record<CloseCause, LateReason>> = {
  watermark: 'window_closed',
  quiet: 'window_quiet',
  flush: 'window_flushed',
  evicted: 'window_evicted',
};

/**
 * All state of one input partition: its keys, each with its own clock and open windows, the
 * log's clock, offsets and counters. Partitions never share state, so each can be snapshotted,
 * restored and replayed on its own and produces the same outputs wherever it runs.
 *
 * Time is per key. A key's windows close when its own event time passes their end plus the
 * grace (its watermark), or when the log's time (the highest log time of the partition's
 * records) passes the moment by which its next reading would have arrived, judged from how
 * late its readings have been arriving (`quietAtMs`). One key's clock or rhythm never decides
 * what is late for another.
 */
export class PartitionState<M> {
  readonly keys = new Map<string, KeyState<M>>();
  /**
   * Open windows in eviction order, kept only while the partition is near its cap (above half
   * of it): far below, nothing will be evicted and the queue would cost every window opened.
   */
  private evictionQueue: EvictionQueue<M> | undefined;
  /** Keys with open windows, by the log time at which they may have gone quiet (lazy entries). */
  private readonly quietChecks = new TimeBuckets<KeyState<M>>();
  /** Keys without open windows, by the log time at which they may be forgotten (lazy entries). */
  private readonly forgetChecks = new TimeBuckets<KeyState<M>>();
  /** Closed windows' objects, ready for reuse. */
  private readonly spares: WindowAccumulator<M>[] = [];
  private readonly maxSpares: number;
  openWindows = 0;
  /** Highest event time of any key: informational only, it decides nothing. */
  maxEventTimeMs = -Infinity;
  /** The log's clock: the highest log time of the partition's records, or an explicit advance. */
  logTimeMs = -Infinity;
  /** One past the highest offset processed; 0 when none has been. */
  nextOffset = 0;
  /** From a migrated version-1 snapshot only: every key's windows ending by it were emitted. */
  floorMs = -Infinity;
  readonly counters: PartitionCounters = {
    recordsIn: 0,
    aggregated: 0,
    duplicates: 0,
    late: 0,
    replayed: 0,
    windowsEmitted: 0,
    windowsEvicted: 0,
  };
  /** Keys changed (or forgotten) since the changes were last taken. */
  changedKeys: KeyState<M>[] = [];
  forgottenKeys: string[] = [];

  readonly graceMs: number;
  /** Tumbling: size = advance. Unused for sessions. */
  readonly sizeMs: number;
  readonly advanceMs: number;
  /** Sessions only. */
  readonly gapMs: number;
  readonly maxOpenWindows: number;
  readonly rejectWhenFull: boolean;
  readonly maxQuietWaitMs: number;
  readonly keyRetentionMs: number;
  private readonly place: Placement;

  constructor(
    readonly partition: number,
    readonly spec: WindowSpec,
    limits: PartitionLimits,
  ) {
    this.graceMs = spec.graceMs;
    this.sizeMs = spec.kind === 'session' ? 0 : spec.sizeMs;
    this.advanceMs = spec.kind === 'hopping' ? spec.advanceMs : this.sizeMs;
    this.gapMs = spec.kind === 'session' ? spec.gapMs : 0;
    this.maxOpenWindows = limits.maxOpenWindows;
    this.maxSpares = Math.min(limits.maxOpenWindows, 65_536);
    this.rejectWhenFull = limits.onOverflow === 'reject-record';
    this.maxQuietWaitMs = limits.maxQuietWaitMs;
    this.keyRetentionMs = limits.keyRetentionMs;
    this.place = spec.kind === 'session' ? placeInSession : placeInTimeWindows;
  }

  /** Handles one validated record; returns its outcome bits. */
  add(record: WindowedRecord<M>, sink: Sink<M>): number {
    const offset = record.offset;
    if (offset < this.nextOffset) {
      this.counters.replayed++;
      return REPLAYED;
    }
    this.nextOffset = offset + 1;
    this.counters.recordsIn++;
    const eventTimeMs = record.eventTimeMs + 0; // -0 would not survive a JSON snapshot
    if (eventTimeMs > this.maxEventTimeMs) this.maxEventTimeMs = eventTimeMs;
    const logTimeMs = record.logTimeMs;

    // Every record moves its own key's clock, whatever becomes of its value.
    const state = this.keys.get(record.key) ?? this.createKey(record.key);
    this.touch(state);
    if (logTimeMs !== undefined) state.observeArrival(logTimeMs + 0, eventTimeMs);
    if (eventTimeMs > state.maxEventTimeMs) {
      state.maxEventTimeMs = eventTimeMs;
      // Closing first frees room before placing; it can never close this record's windows,
      // which all end after eventTimeMs >= the key's new watermark.
      const first = state.windows[0];
      if (first !== undefined && first.endMs <= eventTimeMs - this.graceMs)
        this.closeOwnTime(state, eventTimeMs - this.graceMs, sink);
    }
    const outcome = this.place(this, state, record, eventTimeMs, sink);
    if (outcome & AGGREGATED) this.counters.aggregated++;
    if (outcome & DUPLICATE) this.counters.duplicates++;
    if (outcome & LATE) this.counters.late++;
    this.scheduleQuietCheck(state);
    if (state.windows.length === 0) this.scheduleForget(state);

    if (logTimeMs !== undefined && logTimeMs > this.logTimeMs) this.advanceLogTime(logTimeMs, sink);
    if (!this.rejectWhenFull) this.evictOverCap(sink);
    return outcome;
  }

  /**
   * Moves the log's clock to `logTimeMs` (a record's, or the caller's for a partition that
   * receives nothing): closes the windows of keys gone quiet by then and forgets keys silent
   * for longer than the retention. Never moves backwards.
   */
  advanceLogTime(logTimeMs: number, sink: Sink<M>): void {
    if (logTimeMs <= this.logTimeMs) return;
    this.logTimeMs = logTimeMs;
    let due: KeyState<M>[] | undefined;
    while ((due = this.quietChecks.takeDue(logTimeMs)) !== undefined) {
      // One bucket holds the keys due at one instant; by key, so the order never depends on
      // how the queue was filled (a restored queue is filled differently).
      const atMs = this.quietChecks.lastTakenMs;
      if (due.length > 1) due.sort(compareKeys);
      for (const state of due) this.checkQuiet(state, atMs, sink);
    }
    while ((due = this.forgetChecks.takeDue(logTimeMs)) !== undefined) {
      const atMs = this.forgetChecks.lastTakenMs;
      for (const state of due) this.checkForget(state, atMs);
    }
  }

  /** A lower bound of the log time at which some key may go quiet; Infinity if none waits. */
  get nextQuietCheckMs(): number {
    return this.quietChecks.nextMs;
  }

  /** Closes every open window of every key, ascending by (end, key, start). */
  flush(sink: Sink<M>): void {
    const windows: WindowAccumulator<M>[] = [];
    for (const state of this.keys.values()) windows.push(...state.windows);
    windows.sort(compareEndThenKey);
    for (const window of windows) this.closeWindow(window, 'flush', sink);
  }

  /** Lowest offset still held by an open window, else the next offset; undefined before any. */
  safeOffset(): number | undefined {
    if (this.nextOffset === 0) return undefined;
    let lowest = this.nextOffset;
    for (const state of this.keys.values())
      for (const window of state.windows) if (window.minOffset < lowest) lowest = window.minOffset;
    return lowest;
  }

  /** Every window of the key ending at or before this has been emitted. */
  horizonOf(state: KeyState<M>): number {
    const own = state.maxEventTimeMs - this.graceMs;
    return own > state.closedUntilMs ? own : state.closedUntilMs;
  }

  /** Why a record of `state` whose window ends at `endMs` (at or before its horizon) is late. */
  lateReason(state: KeyState<M>, endMs: number): LateReason {
    return endMs <= state.maxEventTimeMs - this.graceMs ? 'window_closed' : state.closedReason;
  }

  reportLate(
    record: WindowedRecord<M>,
    state: KeyState<M>,
    reason: LateReason,
    windows: readonly WindowBounds[],
    sink: Sink<M>,
  ): void {
    sink.late.push({ record, reason, windows, watermarkMs: this.horizonOf(state) });
  }

  createKey(key: string): KeyState<M> {
    const state = new KeyState<M>(key);
    if (this.floorMs !== -Infinity) state.closedUntilMs = this.floorMs;
    this.keys.set(key, state);
    this.touch(state);
    return state;
  }

  /** Opens a window holding one reading, reusing a closed window's object when one is spare. */
  openWindow(
    owner: KeyState<M>,
    startMs: number,
    endMs: number,
    eventTimeMs: number,
    value: number,
    offset: number,
    meta: M,
  ): WindowAccumulator<M> {
    const spare = this.spares.pop();
    let window: WindowAccumulator<M>;
    if (spare === undefined)
      window = new WindowAccumulator<M>(owner, startMs, endMs, eventTimeMs, value, offset, meta);
    else {
      spare.reset(owner, startMs, endMs, eventTimeMs, value, offset, meta);
      window = spare;
    }
    if (++this.openWindows > this.maxOpenWindows >>> 1 && this.evictionQueue === undefined)
      this.buildEvictionQueue(); // from the keys' windows: this one is not among them yet
    this.evictionQueue?.add(window);
    return window;
  }

  /** Registers a session absorbed into another by a bridging reading. */
  merged(window: WindowAccumulator<M>): void {
    window.open = false;
    this.openWindows--;
  }

  /** Called after restoring keys from a snapshot: rebuilds the queues from the keys. */
  reindex(): void {
    this.openWindows = 0;
    for (const state of this.keys.values()) {
      this.openWindows += state.windows.length;
      this.scheduleQuietCheck(state);
      if (state.windows.length === 0) this.scheduleForget(state);
    }
    if (this.openWindows > this.maxOpenWindows >>> 1) this.buildEvictionQueue();
  }

  /** Marks a key as changed since the changes were last taken. */
  touch(state: KeyState<M>): void {
    if (state.changed) return;
    state.changed = true;
    this.changedKeys.push(state);
  }

  /**
   * The log time by which the key's next reading would have arrived if it were still sending
   * into its oldest open window: its end, plus the grace, plus the key's largest recent delay,
   * plus the spread of its delays as a margin (a store-and-forward node uploading every five
   * minutes gets about ten); never more than maxQuietWaitMs after the key's last reading.
   * Infinity when it cannot be judged (no log time, no window).
   */
  quietAtMs(state: KeyState<M>): number {
    const oldest = state.windows[0];
    if (oldest === undefined || state.lastLogTimeMs === -Infinity) return Infinity;
    const expected = oldest.endMs + this.graceMs + 2 * state.delayHighMs - state.delayLowMs;
    const latest = state.lastLogTimeMs + this.maxQuietWaitMs;
    return expected < latest ? expected : latest;
  }

  private scheduleQuietCheck(state: KeyState<M>): void {
    const atMs = this.quietAtMs(state);
    // An entry later than needed is replaced (the old one goes stale); an earlier one stays and
    // is re-queued when met (checkQuiet), so steady keys cost one queue entry per window.
    if (atMs < state.quietCheckAtMs) {
      state.quietCheckAtMs = atMs;
      this.quietChecks.add(atMs, state);
    }
  }

  private checkQuiet(state: KeyState<M>, atMs: number, sink: Sink<M>): void {
    if (state.quietCheckAtMs !== atMs || this.keys.get(state.key) !== state) return; // stale
    state.quietCheckAtMs = Infinity;
    const dueMs = this.quietAtMs(state);
    if (dueMs > atMs) {
      // Queued earlier than due: queue again at the exact time, whose bucket decides the order.
      if (dueMs !== Infinity) {
        state.quietCheckAtMs = dueMs;
        this.quietChecks.add(dueMs, state);
      }
      return;
    }
    this.touch(state);
    let window: WindowAccumulator<M> | undefined;
    while ((window = state.windows[0]) !== undefined && this.quietAtMs(state) <= this.logTimeMs)
      this.closeWindow(window, 'quiet', sink);
    this.scheduleQuietCheck(state);
  }

  private scheduleForget(state: KeyState<M>): void {
    if (state.lastLogTimeMs === -Infinity || state.forgetAtMs !== Infinity) return;
    const atMs = state.lastLogTimeMs + this.keyRetentionMs;
    state.forgetAtMs = atMs;
    this.forgetChecks.add(atMs, state);
  }

  private checkForget(state: KeyState<M>, atMs: number): void {
    if (state.forgetAtMs !== atMs || this.keys.get(state.key) !== state) return;
    state.forgetAtMs = Infinity;
    if (state.windows.length > 0) return; // queued again when its last window closes
    if (state.lastLogTimeMs + this.keyRetentionMs > this.logTimeMs) {
      this.scheduleForget(state);
      return;
    }
    this.keys.delete(state.key);
    this.forgottenKeys.push(state.key);
  }

  /** Closes the key's windows ending at or before its own watermark, oldest first. */
  private closeOwnTime(state: KeyState<M>, watermarkMs: number, sink: Sink<M>): void {
    let window: WindowAccumulator<M> | undefined;
    while ((window = state.windows[0]) !== undefined && window.endMs <= watermarkMs)
      this.closeWindow(window, 'watermark', sink);
  }

  private evictOverCap(sink: Sink<M>): void {
    while (this.openWindows > this.maxOpenWindows) {
      const oldest = this.evictionQueue?.takeOldest();
      if (oldest === undefined)
        throw new Error(
          `Broken invariant: partition ${this.partition} counts ${this.openWindows} open windows but its eviction queue holds none`,
        );
      this.closeWindow(oldest, 'evicted', sink);
    }
  }

  private closeWindow(window: WindowAccumulator<M>, cause: CloseCause, sink: Sink<M>): void {
    window.open = false;
    const state = window.owner;
    state.removeWindow(window);
    if (cause !== 'watermark' || this.gapMs > 0) {
      // Sessions remember every emitted session's end: a reading before it would extend it.
      if (window.endMs > state.closedUntilMs) {
        state.closedUntilMs = window.endMs;
        state.closedReason = CLOSED_REASON[cause];
      }
    }
    this.touch(state);
    this.openWindows--;
    this.counters.windowsEmitted++;
    if (cause === 'evicted') this.counters.windowsEvicted++;
    sink.closed.push(window.toClosedWindow(this.partition, cause, arrivalOf(state)));
    // Windows live for seconds, long enough to survive young-generation collections, and
    // recycling them keeps the old generation still. A stale eviction-queue entry may still
    // point at the object: the queue checks `open` and the current end (see EvictionQueue).
    if (this.spares.length < this.maxSpares) {
      window.release();
      this.spares.push(window);
    }
    if (state.windows.length === 0) this.scheduleForget(state);
    const queue = this.evictionQueue;
    if (queue === undefined) return;
    if (this.openWindows <= this.maxOpenWindows >>> 2) this.evictionQueue = undefined;
    else if (queue.needsCompaction(this.openWindows)) this.buildEvictionQueue();
  }

  private buildEvictionQueue(): void {
    const queue = new EvictionQueue<M>();
    for (const state of this.keys.values()) for (const window of state.windows) queue.add(window);
    this.evictionQueue = queue;
  }
}

export function arrivalOf<M>(state: KeyState<M>): KeyArrival | null {
  if (state.lastLogTimeMs === -Infinity) return null;
  return {
    lastLogTimeMs: state.lastLogTimeMs,
    delayLowMs: state.delayLowMs,
    delayHighMs: state.delayHighMs,
  };
}

function compareKeys<M>(a: KeyState<M>, b: KeyState<M>): number {
  return a.key < b.key ? -1 : a.key > b.key ? 1 : 0;
}

function compareEndThenKey<M>(a: WindowAccumulator<M>, b: WindowAccumulator<M>): number {
  if (a.endMs !== b.endMs) return a.endMs - b.endMs;
  if (a.key < b.key) return -1;
  if (a.key > b.key) return 1;
  return a.startMs - b.startMs;
}
