import type { WindowSpec } from './window-spec';

/**
 * Snapshots are plain JSON values: `JSON.parse(JSON.stringify(s))` restores to the same state.
 * Every field is a number, string, null, array or object; the state's infinities are null.
 * Bump SNAPSHOT_VERSION on any change of meaning; readers refuse versions they do not know.
 */
export const SNAPSHOT_VERSION = 1;
export const PARTITION_SNAPSHOT_FORMAT = 'geostream.windowed-aggregator.partition';
export const AGGREGATOR_SNAPSHOT_FORMAT = 'geostream.windowed-aggregator';

export interface WindowSnapshot<M = unknown> {
  readonly startMs: number;
  readonly endMs: number;
  readonly count: number;
  /** Running sum and its Neumaier compensation, kept apart so a replay continues bit-exactly. */
  readonly sum: number;
  readonly compensation: number;
  readonly min: number;
  readonly max: number;
  readonly firstEventTimeMs: number;
  readonly lastEventTimeMs: number;
  readonly latestMeta: M;
  readonly latestOffset: number;
  readonly minOffset: number;
  readonly maxOffset: number;
}

export interface KeySnapshot<M = unknown> {
  readonly key: string;
  /** End of the key's latest emitted window while it still matters, else null. */
  readonly closedUntilMs: number | null;
  /** Distinct event times in the key's open windows, ascending (duplicate detection). */
  readonly eventTimes: readonly number[];
  /** Open windows, ascending by start. */
  readonly windows: readonly WindowSnapshot<M>[];
}

export interface PartitionCountersSnapshot {
  readonly recordsIn: number;
  readonly aggregated: number;
  readonly duplicates: number;
  readonly late: number;
  readonly replayed: number;
  readonly windowsEmitted: number;
  readonly windowsEvicted: number;
}

export interface PartitionSnapshot<M = unknown> {
  readonly format: typeof PARTITION_SNAPSHOT_FORMAT;
  readonly version: typeof SNAPSHOT_VERSION;
  readonly partition: number;
  readonly spec: WindowSpec;
  /** One past the highest offset processed (0: none). Replays below it are skipped. */
  readonly nextOffset: number;
  readonly maxEventTimeMs: number | null;
  readonly advancedToMs: number | null;
  readonly counters: PartitionCountersSnapshot;
  /** Keys in ascending UTF-16 order. */
  readonly keys: readonly KeySnapshot<M>[];
}

export interface AggregatorSnapshot<M = unknown> {
  readonly format: typeof AGGREGATOR_SNAPSHOT_FORMAT;
  readonly version: typeof SNAPSHOT_VERSION;
  readonly spec: WindowSpec;
  /** Ascending by partition. */
  readonly partitions: readonly PartitionSnapshot<M>[];
}
