/**
 * @geostream/windowed-aggregator: a pure event-time windowing core. The caller feeds records
 * and time; every call returns what to emit. No I/O, no timers, no wall clock.
 *
 * Five small parts, kept apart as in Kafka Streams, Flink and Bytewax (see the README):
 * - spec: immutable, validated window values (tumblingWindows, hoppingWindows, sessionWindows);
 * - assignment: pure windowsFor(spec, eventTimeMs), and placing a reading in its key's windows;
 * - time: per key, its own watermark (highest event time - grace), and the log's clock that
 *   closes the windows of keys gone quiet, judged from how late each key's readings arrive;
 * - aggregation: count, compensated sum, mean, min, max, first/last time, latest metadata;
 * - emission: final results only, each window once, when its key's time has passed its end.
 */
export { WindowingError, isWindowingError, type WindowingErrorCode } from './errors';
export {
  tumblingWindows,
  hoppingWindows,
  sessionWindows,
  windowSpecFromSettings,
  validateWindowSpec,
  windowSpecsEqual,
  MAX_DURATION_MS,
  MAX_WINDOWS_PER_RECORD,
  type TumblingWindowSpec,
  type HoppingWindowSpec,
  type SessionWindowSpec,
  type TimeWindowSpec,
  type WindowSpec,
  type WindowKind,
} from './window-spec';
export { windowsFor, MAX_EVENT_TIME_MS, type WindowBounds } from './assignment';
export type { WindowedRecord } from './record';
export type {
  AddResult,
  BatchResult,
  ClosedWindow,
  CloseCause,
  KeyArrival,
  LateReason,
  LateRecord,
} from './outputs';
export {
  DEFAULT_MAX_OPEN_WINDOWS_PER_PARTITION,
  DEFAULT_MAX_QUIET_WAIT_MS,
  DEFAULT_KEY_RETENTION_MS,
  type OverflowPolicy,
  type WindowedAggregatorOptions,
} from './options';
export { createWindowedAggregator, type WindowedAggregator } from './windowed-aggregator';
export type { AggregatorStats, PartitionStats } from './stats';
export {
  SNAPSHOT_VERSION,
  PARTITION_SNAPSHOT_FORMAT,
  AGGREGATOR_SNAPSHOT_FORMAT,
  type AggregatorSnapshot,
  type PartitionSnapshot,
  type PartitionChanges,
  type KeySnapshot,
  type WindowSnapshot,
  type PartitionCountersSnapshot,
} from './snapshot-format';
