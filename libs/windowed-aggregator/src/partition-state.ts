import type { WindowBounds } from './assignment';
import { KeyState } from './key-state';
import { CloseQueue } from './close-queue';
import type { ClosedWindow, CloseCause, LateReason, LateRecord } from './outputs';
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
}

type Placement = <M>(
  partition: PartitionState<M>,
  record: WindowedRecord<M>,
  eventTimeMs: number,
  sink: Sink<M>,
) => number;

/**
 * All state of one input partition: its keys' open windows, its watermark, its offsets and
 * counters. Partitions never share state, so each can be snapshotted, restored and replayed
 * on its own and produces the same outputs wherever it runs.
 *
 * Time here is a horizon: every window ending at or before `horizonMs` has been emitted. The
 * horizon is the larger of the data watermark (highest event time seen - grace) and the
 * caller's explicit advances and flushes (`advancedToMs`).
 */
export class PartitionState<M> {
  readonly keys = new Map<string, KeyState<M>>();
  readonly queue = new CloseQueue<M>();
  /** Closed windows' objects, ready for reuse. */
  private readonly spares: WindowAccumulator<M>[] = [];
  private readonly maxSpares: number;
  /** Keys without open windows, by when they may be forgotten. */
  private readonly expiry = new TimeBuckets<KeyState<M>>();
  openWindows = 0;
  maxEventTimeMs = -Infinity;
  advancedToMs = -Infinity;
  horizonMs = -Infinity;
  /** One past the highest offset processed; 0 when none has been. */
  nextOffset = 0;
  readonly counters: PartitionCounters = {
    recordsIn: 0,
    aggregated: 0,
    duplicates: 0,
    late: 0,
    replayed: 0,
    windowsEmitted: 0,
    windowsEvicted: 0,
  };

  readonly graceMs: number;
  /** Tumbling: size = advance. Unused for sessions. */
  readonly sizeMs: number;
  readonly advanceMs: number;
  /** Sessions only. */
  readonly gapMs: number;
  /**
   * How long a key without open windows is kept after its last window closed. Sessions need
   * a gap (see KeyState.closedUntilMs); time windows keep it one window longer, so a steady
   * key reuses its state instead of reallocating it every window.
   */
  readonly keyMemoryMs: number;
  readonly maxOpenWindows: number;
  readonly rejectWhenFull: boolean;
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
    this.keyMemoryMs = spec.kind === 'session' ? this.gapMs : this.sizeMs;
    this.maxOpenWindows = limits.maxOpenWindows;
    this.maxSpares = Math.min(limits.maxOpenWindows, 65_536);
    this.rejectWhenFull = limits.onOverflow === 'reject-record';
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
    if (eventTimeMs > this.maxEventTimeMs) {
      this.maxEventTimeMs = eventTimeMs;
      // Closing first frees room before placing; it can never close this record's windows,
      // which all end after eventTimeMs >= the new watermark.
      const watermarkMs = eventTimeMs - this.graceMs;
      if (watermarkMs > this.horizonMs) {
        if (watermarkMs >= this.queue.nextEndMs || watermarkMs >= this.expiry.nextMs)
          this.advanceHorizon(watermarkMs, 'watermark', sink);
        else this.horizonMs = watermarkMs;
      }
    }
    const outcome = this.place(this, record, eventTimeMs, sink);
    if (outcome & AGGREGATED) this.counters.aggregated++;
    if (outcome & DUPLICATE) this.counters.duplicates++;
    if (outcome & LATE) this.counters.late++;
    if (!this.rejectWhenFull)
      while (this.openWindows > this.maxOpenWindows) {
        const oldest = this.queue.takeOldest();
        if (oldest === undefined)
          throw new Error(
            `Broken invariant: partition ${this.partition} counts ${this.openWindows} open windows but its close queue holds none`,
          );
        this.closeWindow(oldest, 'evicted', sink);
      }
    return outcome;
  }

  /** Closes every window ending at or before `timeMs`; later records in them are late. */
  advance(timeMs: number, sink: Sink<M>): void {
    if (timeMs > this.advancedToMs) this.advancedToMs = timeMs;
    if (timeMs > this.horizonMs) this.advanceHorizon(timeMs, 'advance', sink);
  }

  /** Closes every open window: the same as advancing to the latest open window's end. */
  flush(sink: Sink<M>): void {
    let latestEndMs = -Infinity;
    for (const state of this.keys.values())
      for (const window of state.windows)
        if (window.endMs > latestEndMs) latestEndMs = window.endMs;
    if (latestEndMs === -Infinity) return;
    if (latestEndMs > this.advancedToMs) this.advancedToMs = latestEndMs;
    if (latestEndMs > this.horizonMs) this.advanceHorizon(latestEndMs, 'flush', sink);
  }

  /** Lowest offset still held by an open window, else the next offset; undefined before any. */
  safeOffset(): number | undefined {
    if (this.nextOffset === 0) return undefined;
    let lowest = this.nextOffset;
    for (const state of this.keys.values())
      for (const window of state.windows) if (window.minOffset < lowest) lowest = window.minOffset;
    return lowest;
  }

  /** Why a record whose window ends at `endMs` (at or before the key's horizon) is late. */
  lateReason(endMs: number): LateReason {
    if (endMs <= this.maxEventTimeMs - this.graceMs) return 'window_closed';
    if (endMs <= this.advancedToMs) return 'window_flushed';
    return 'window_evicted';
  }

  reportLate(
    record: WindowedRecord<M>,
    reason: LateReason,
    windows: readonly WindowBounds[],
    sink: Sink<M>,
  ): void {
    sink.late.push({ record, reason, windows, watermarkMs: this.horizonMs });
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
    this.opened(window);
    return window;
  }

  private opened(window: WindowAccumulator<M>): void {
    this.queue.add(window);
    this.openWindows++;
  }

  /** Registers a session absorbed into another by a bridging reading. */
  merged(window: WindowAccumulator<M>): void {
    window.open = false;
    this.openWindows--;
  }

  /** Called after restoring keys from a snapshot: rebuilds the queue and key expiries. */
  reindex(): void {
    this.openWindows = 0;
    for (const state of this.keys.values()) {
      for (const window of state.windows) this.opened(window);
      if (state.windows.length === 0)
        this.expiry.add(state.closedUntilMs + this.keyMemoryMs, state);
    }
  }

  private advanceHorizon(horizonMs: number, cause: CloseCause, sink: Sink<M>): void {
    this.horizonMs = horizonMs;
    let due: WindowAccumulator<M>[] | undefined;
    while ((due = this.queue.takeDue(horizonMs)) !== undefined)
      for (const window of due) this.closeWindow(window, cause, sink);
    this.forgetExpiredKeys();
  }

  private closeWindow(window: WindowAccumulator<M>, cause: CloseCause, sink: Sink<M>): void {
    window.open = false;
    const state = window.owner;
    state.removeWindow(window);
    if (window.endMs > state.closedUntilMs) state.closedUntilMs = window.endMs;
    this.openWindows--;
    this.counters.windowsEmitted++;
    if (cause === 'evicted') this.counters.windowsEvicted++;
    sink.closed.push(window.toClosedWindow(this.partition, cause));
    // The queue no longer holds it (takeDue and takeOldest remove what they return), so the
    // object can carry a later window: windows live for seconds, long enough to survive
    // young-generation collections, and recycling them keeps the old generation still.
    if (this.spares.length < this.maxSpares) {
      window.release();
      this.spares.push(window);
    }
    if (state.newest === undefined) this.retireKey(state);
  }

  /** A key with no open window is forgotten once it has been idle for keyMemoryMs. */
  private retireKey(state: KeyState<M>): void {
    const atMs = state.closedUntilMs + this.keyMemoryMs;
    if (atMs > this.horizonMs) this.expiry.add(atMs, state);
    else this.keys.delete(state.key);
  }

  private forgetExpiredKeys(): void {
    let due: KeyState<M>[] | undefined;
    while ((due = this.expiry.takeDue(this.horizonMs)) !== undefined)
      for (const state of due)
        // An entry goes stale when its key opened windows again (it is queued anew on retiring).
        if (
          this.keys.get(state.key) === state &&
          state.windows.length === 0 &&
          state.closedUntilMs + this.keyMemoryMs <= this.horizonMs
        )
          this.keys.delete(state.key);
  }
}
