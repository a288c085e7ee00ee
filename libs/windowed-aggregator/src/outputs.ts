import type { WindowBounds } from './assignment';
import type { WindowedRecord } from './record';

/**
 * What closed a window:
 * - `watermark`: its key's own watermark (the key's highest event time - grace) passed its end;
 * - `quiet`: the log's time passed the moment by which the key's next reading would have
 *   arrived, judged from how late its readings arrive (see the README, "Quiet keys");
 * - `flush`: the caller flushed the partition;
 * - `evicted`: emitted early to keep open windows within the cap (see OverflowPolicy).
 */
export type CloseCause = 'watermark' | 'quiet' | 'flush' | 'evicted';

/**
 * What a key's readings tell of its clock and its link when one of its windows closes: delay =
 * the reading's log time (when it entered the log) - its event time. `delayLowMs` is the
 * smallest recent delay: about minus the clock's offset (a clock an hour fast sends readings an
 * hour "early"), plus the fastest delivery. `delayHighMs` the largest: the upload interval of a
 * store-and-forward node, a slow link.
 */
export interface KeyArrival {
  readonly lastLogTimeMs: number;
  readonly delayLowMs: number;
  readonly delayHighMs: number;
}

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
  /** The key's arrival model when the window closed; null if its records carry no log time. */
  readonly arrival: KeyArrival | null;
}

/**
 * Why a record missed (some of) its windows. Only its own key's windows count:
 * - `window_closed`: the key's own watermark had already passed the window's end;
 * - `window_quiet`: the window was closed when the key went quiet (see CloseCause 'quiet');
 * - `window_flushed`: the caller had flushed the partition;
 * - `window_evicted`: the key's window was emitted early to respect the cap;
 * - `open_window_limit`: the cap was reached under the 'reject-record' policy.
 */
export type LateReason =
  'window_closed' | 'window_quiet' | 'window_flushed' | 'window_evicted' | 'open_window_limit';

export interface LateRecord<M> {
  readonly record: WindowedRecord<M>;
  readonly reason: LateReason;
  /**
   * The windows the record missed, oldest first. Tumbling: its one window. Hopping: those of
   * its windows already closed (it still went into the open ones). Sessions: [t, t + gapMs).
   */
  readonly windows: readonly WindowBounds[];
  /** Its key's horizon when the record arrived: every window ending at or before it was emitted. */
  readonly watermarkMs: number;
}

export interface AddResult<M> {
  /** Windows closed while handling this record, in emission order. Usually empty. */
  readonly closed: readonly ClosedWindow<M>[];
  /**
   * The record went into at least one window. A hopping record may be aggregated and late (it
   * missed older windows only); otherwise exactly one of aggregated, late, duplicate, replayed.
   */
  readonly aggregated: boolean;
  /** Set when the record missed at least one of its windows. */
  readonly late: LateRecord<M> | undefined;
  /** The key already had a reading at this event time in the record's open windows: not aggregated. */
  readonly duplicate: boolean;
  /** The offset was already processed (a replay after restore): ignored entirely. */
  readonly replayed: boolean;
}

export interface BatchResult<M> {
  readonly closed: readonly ClosedWindow<M>[];
  /** Records that went into at least one window. */
  readonly aggregated: number;
  readonly late: readonly LateRecord<M>[];
  readonly duplicates: number;
  readonly replayed: number;
}
