import type { LateReason } from './outputs';
import type { WindowSpec } from './window-spec';

/**
 * Snapshots are plain JSON values: `JSON.parse(JSON.stringify(s))` restores to the same state.
 * Every field is a number, string, null, array or object; the state's infinities are null.
 * Bump SNAPSHOT_VERSION on any change of meaning; readers refuse versions they do not know.
 *
 * Version 2 (per-key time): every key carries its own clock and arrival model; the partition
 * keeps the log's clock. Version 1 (one watermark per partition) is still read, and migrated:
 * see readPartitionSnapshot.
 */
export const SNAPSHOT_VERSION = 2;
export const PARTITION_SNAPSHOT_FORMAT = 'geostream.windowed-aggregator.partition';
export const AGGREGATOR_SNAPSHOT_FORMAT = 'geostream.windowed-aggregator';

export interface WindowSnapshot<M = unknown> {
  readonly startMs: number;
  readonly endMs: number;
  readonly count: number;
  /** Running sum and its Neumaier compensation, kept apart so a replay continues bit-exactly. */
  readonly sum: number;
  readonly compensation: number;
  /** 0, or 64 when sum and compensation are scaled by 2^-64 (the sum overflowed a double). */
  readonly scaleExponent: number;
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
  /** The key's highest event time: its own watermark is this minus the grace. */
  readonly maxEventTimeMs: number | null;
  /** Windows ending at or before this were emitted otherwise (quiet, flush, eviction); null if none. */
  readonly closedUntilMs: number | null;
  readonly closedReason: LateReason | null;
  /** The arrival model (see KeyArrival); all three null when the key's records carry no log time. */
  readonly lastLogTimeMs: number | null;
  readonly delayLowMs: number | null;
  readonly delayHighMs: number | null;
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
  /** The log's clock: highest log time seen or advanced to. */
  readonly logTimeMs: number | null;
  /** Highest event time of any key (informational). */
  readonly maxEventTimeMs: number | null;
  /**
   * Set only by migrating a version-1 snapshot: its partition watermark. Windows ending at or
   * before it were emitted for every key, including keys version 1 had already forgotten, so a
   * key first seen after the migration starts with it as its closedUntilMs.
   */
  readonly floorMs: number | null;
  readonly counters: PartitionCountersSnapshot;
  /** Keys in ascending UTF-16 order. */
  readonly keys: readonly KeySnapshot<M>[];
}

/**
 * What changed in a partition since its changes were last taken: enough to bring a stored
 * snapshot up to date (store the header, upsert the changed keys, delete the forgotten ones)
 * without writing the keys that did not change.
 */
export interface PartitionChanges<M = unknown> {
  /** The partition's snapshot with `keys` empty. */
  readonly header: PartitionSnapshot<M>;
  /** Changed keys, ascending. */
  readonly changed: readonly KeySnapshot<M>[];
  /** Keys forgotten (retention), ascending; none of them is also in `changed`. */
  readonly forgotten: readonly string[];
}

export interface AggregatorSnapshot<M = unknown> {
  readonly format: typeof AGGREGATOR_SNAPSHOT_FORMAT;
  readonly version: typeof SNAPSHOT_VERSION;
  readonly spec: WindowSpec;
  /** Ascending by partition. */
  readonly partitions: readonly PartitionSnapshot<M>[];
}
