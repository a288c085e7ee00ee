import type { WindowBounds } from './assignment';
import type { WindowedRecord } from './record';

/**
 * What closed a window:
 * - `watermark`: the partition's data watermark (highest event time - grace) passed its end;
 * - `advance`: the caller's advanceWatermark passed its end;
 * - `flush`: the caller flushed the partition (shutdown, idle input);
 * - `evicted`: emitted early to keep open windows within the cap (see OverflowPolicy).
 */
export type CloseCause = 'watermark' | 'advance' | 'flush' | 'evicted';

/**
 * A final window result. Each (partition, key, window) is emitted at most once. For session
 * windows, windowStartMs = firstEventTimeMs and windowEndMs = lastEventTimeMs + gapMs.
 */
export interface ClosedWindow<M> {
  readonly key: string;
  readonly partition: number;
  readonly windowStartMs: number;
  readonly windowEndMs: number;
  readonly count: number;
  /** Compensated (Neumaier) sum of the values: as exact as a double allows. */
  readonly sum: number;
  /** sum / count, never a running pairwise average. */
  readonly mean: number;
  readonly min: number;
  readonly max: number;
  readonly firstEventTimeMs: number;
  readonly lastEventTimeMs: number;
  /** Meta of the reading with the highest event time (ties: the higher offset). */
  readonly latestMeta: M;
  /** Lowest and highest input offsets aggregated into this window. */
  readonly minOffset: number;
  readonly maxOffset: number;
  readonly closedBy: CloseCause;
  /** True when emitted before its time to respect the open-window cap (closedBy 'evicted'). */
  readonly early: boolean;
}

/**
 * Why a record missed (some of) its windows:
 * - `window_closed`: the data watermark had already passed the window's end;
 * - `window_flushed`: only an explicit advanceWatermark / flush had passed it;
 * - `window_evicted`: the key's window was emitted early to respect the cap;
 * - `open_window_limit`: the cap was reached under the 'reject-record' policy.
 */
export type LateReason =
  'window_closed' | 'window_flushed' | 'window_evicted' | 'open_window_limit';

export interface LateRecord<M> {
  readonly record: WindowedRecord<M>;
  readonly reason: LateReason;
  /**
   * The windows the record missed, oldest first. Tumbling: its one window. Hopping: those of
   * its windows already closed (it still went into the open ones). Sessions: [t, t + gapMs).
   */
  readonly windows: readonly WindowBounds[];
  /** The partition's watermark when the record arrived. */
  readonly watermarkMs: number;
}

export interface AddResult<M> {
  /** Windows closed while handling this record, in emission order. Usually empty. */
  readonly closed: readonly ClosedWindow<M>[];
  /** Set when the record missed at least one of its windows. */
  readonly late: LateRecord<M> | undefined;
  /** The key already had a reading at this event time in the record's open windows: not aggregated. */
  readonly duplicate: boolean;
  /** The offset was already processed (a replay after restore): ignored entirely. */
  readonly replayed: boolean;
}

export interface BatchResult<M> {
  readonly closed: readonly ClosedWindow<M>[];
  readonly late: readonly LateRecord<M>[];
  readonly duplicates: number;
  readonly replayed: number;
}
