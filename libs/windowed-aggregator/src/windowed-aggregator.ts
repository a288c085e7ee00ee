import { isValidEventTime } from './assignment';
import { WindowingError } from './errors';
import { resolveOptions, type ResolvedOptions, type WindowedAggregatorOptions } from './options';
import type { AddResult, BatchResult, ClosedWindow, KeyArrival } from './outputs';
import {
  AGGREGATED,
  DUPLICATE,
  LATE,
  PartitionState,
  REPLAYED,
  arrivalOf,
  type Sink,
} from './partition-state';
import { assertValidRecord, isPartition, type WindowedRecord } from './record';
import {
  AGGREGATOR_SNAPSHOT_FORMAT,
  SNAPSHOT_VERSION,
  type AggregatorSnapshot,
  type KeySnapshot,
  type PartitionChanges,
  type PartitionSnapshot,
} from './snapshot-format';
import { readAggregatorSnapshot, readPartitionSnapshot } from './snapshot-reader';
import { takePartitionChanges, writeKey, writePartitionSnapshot } from './snapshot-writer';
import { totalStats, type AggregatorStats, type PartitionStats } from './stats';
import type { WindowSpec } from './window-spec';

/**
 * Event-time windowing over partitioned input. Pure and synchronous: the caller feeds records
 * and time, and every method returns what to emit. See the README for the contracts.
 */
export interface WindowedAggregator<M> {
  readonly spec: WindowSpec;
  /** Handles one record (validated first; throws RECORD_INVALID without changing state). */
  add(record: WindowedRecord<M>): AddResult<M>;
  /** Handles records in order; validates them all before handling any. */
  addBatch(records: readonly WindowedRecord<M>[]): BatchResult<M>;
  /**
   * Moves the partition's log clock to `logTimeMs` as if a record of that log time had come
   * (a partition that receives nothing): closes the windows of keys gone quiet by then. An
   * input like a record: replaying needs the same call at the same point.
   */
  advanceLogTime(partition: number, logTimeMs: number): ClosedWindow<M>[];
  /**
   * A lower bound of the log time at which some key of the partition may have gone quiet:
   * advancing the log clock to before it closes nothing. Undefined when no window waits on the
   * log's clock. (Not in stats: it depends on how the queue was filled, not only on the state.)
   */
  nextQuietCheckMs(partition: number): number | undefined;
  /** Closes all of the partition's open windows, ascending by (end, key, start). */
  flushPartition(partition: number): ClosedWindow<M>[];
  /** flushPartition for every partition, ascending. */
  flushAll(): ClosedWindow<M>[];
  /** Lowest offset an open window still needs, else the next offset; undefined before any record. */
  safeOffset(partition: number): number | undefined;
  /** Partitions holding state, ascending. */
  partitions(): number[];
  stats(): AggregatorStats;
  partitionStats(partition: number): PartitionStats;
  snapshotPartition(partition: number): PartitionSnapshot<M>;
  /**
   * The partition's keys changed and forgotten since the last call (or since it was restored),
   * with its header: what an incremental store needs to bring its snapshot up to date.
   */
  takeChanges(partition: number): PartitionChanges<M>;
  /** One key's snapshot, as takeChanges would write it; undefined when the key is not held. */
  snapshotKey(partition: number, key: string): KeySnapshot<M> | undefined;
  /** A key's arrival model now (as ClosedWindow.arrival); null if unknown or not held. */
  arrivalOf(partition: number, key: string): KeyArrival | null;
  /**
   * Replaces the partition's state; validates first, so a bad snapshot changes nothing. The
   * restored keys count as unchanged, except after a version-1 snapshot was migrated: then
   * every key counts as changed, so the next takeChanges writes them all anew.
   */
  restorePartition(partition: number, snapshot: unknown): void;
  /** Forgets the partition without emitting anything (it moved to another consumer). */
  releasePartition(partition: number): void;
  snapshot(): AggregatorSnapshot<M>;
  /** Replaces all state (partitions absent from the snapshot are dropped). */
  restore(snapshot: unknown): void;
}

/**
 * @throws WindowingError AGGREGATOR_OPTIONS_INVALID or WINDOW_SPEC_INVALID
 */
export function createWindowedAggregator<M>(
  options: WindowedAggregatorOptions<M>,
): WindowedAggregator<M> {
  return new PartitionedAggregator<M>(resolveOptions(options));
}

const NO_WINDOWS: readonly ClosedWindow<never>[] = Object.freeze([]);
const AGGREGATED_RESULT: AddResult<never> = Object.freeze({
  closed: NO_WINDOWS,
  aggregated: true,
  late: undefined,
  duplicate: false,
  replayed: false,
});
const DUPLICATE_RESULT: AddResult<never> = Object.freeze({
  ...AGGREGATED_RESULT,
  aggregated: false,
  duplicate: true,
});
const REPLAYED_RESULT: AddResult<never> = Object.freeze({
  ...AGGREGATED_RESULT,
  aggregated: false,
  replayed: true,
});

class PartitionedAggregator<M> implements WindowedAggregator<M> {
  readonly spec: WindowSpec;
  private states = new Map<number, PartitionState<M>>();
  /** The hot path mostly sees one partition in a row. */
  private lastState: PartitionState<M> | undefined;
  /** Reused while empty, so a record that closes nothing allocates nothing. */
  private sink: Sink<M> = { closed: [], late: [] };

  constructor(private readonly options: ResolvedOptions) {
    this.spec = options.spec;
  }

  add(record: WindowedRecord<M>): AddResult<M> {
    assertValidRecord(record);
    const sink = this.sink;
    const outcome = this.stateOf(record.partition).add(record, sink);
    if (sink.closed.length === 0 && sink.late.length === 0) {
      if (outcome & REPLAYED) return REPLAYED_RESULT;
      return outcome & DUPLICATE ? DUPLICATE_RESULT : AGGREGATED_RESULT;
    }
    const closed = sink.closed.length === 0 ? NO_WINDOWS : sink.closed;
    const late = sink.late[0];
    this.sink = { closed: [], late: [] };
    return {
      closed,
      aggregated: (outcome & AGGREGATED) !== 0,
      late: outcome & LATE ? late : undefined,
      duplicate: (outcome & DUPLICATE) !== 0,
      replayed: false,
    };
  }

  addBatch(records: readonly WindowedRecord<M>[]): BatchResult<M> {
    for (const record of records) assertValidRecord(record);
    const sink: Sink<M> = { closed: [], late: [] };
    let aggregated = 0;
    let duplicates = 0;
    let replayed = 0;
    for (const record of records) {
      const outcome = this.stateOf(record.partition).add(record, sink);
      if (outcome & AGGREGATED) aggregated++;
      if (outcome & DUPLICATE) duplicates++;
      if (outcome & REPLAYED) replayed++;
    }
    return { closed: sink.closed, aggregated, late: sink.late, duplicates, replayed };
  }

  advanceLogTime(partition: number, logTimeMs: number): ClosedWindow<M>[] {
    checkPartition(partition);
    if (!isValidEventTime(logTimeMs))
      throw new WindowingError(
        'ARGUMENT_INVALID',
        `logTimeMs must be an integer time, got ${String(logTimeMs)}`,
        { partition, logTimeMs },
      );
    const sink: Sink<M> = { closed: [], late: [] };
    this.stateOf(partition).advanceLogTime(logTimeMs, sink);
    return sink.closed;
  }

  nextQuietCheckMs(partition: number): number | undefined {
    checkPartition(partition);
    const next = this.states.get(partition)?.nextQuietCheckMs ?? Infinity;
    return Number.isFinite(next) ? next : undefined;
  }

  flushPartition(partition: number): ClosedWindow<M>[] {
    checkPartition(partition);
    const sink: Sink<M> = { closed: [], late: [] };
    this.states.get(partition)?.flush(sink);
    return sink.closed;
  }

  flushAll(): ClosedWindow<M>[] {
    const sink: Sink<M> = { closed: [], late: [] };
    for (const state of this.statesInOrder()) state.flush(sink);
    return sink.closed;
  }

  safeOffset(partition: number): number | undefined {
    checkPartition(partition);
    return this.states.get(partition)?.safeOffset();
  }

  partitions(): number[] {
    return [...this.states.keys()].sort((a, b) => a - b);
  }

  stats(): AggregatorStats {
    const partitions = this.partitions().map((p) => this.partitionStats(p));
    return { partitions, total: totalStats(partitions) };
  }

  partitionStats(partition: number): PartitionStats {
    checkPartition(partition);
    const state = this.states.get(partition) ?? this.emptyState(partition);
    const defined = (value: number): number | undefined =>
      Number.isFinite(value) ? value : undefined;
    return {
      partition,
      ...state.counters,
      openWindows: state.openWindows,
      keys: state.keys.size,
      maxEventTimeMs: defined(state.maxEventTimeMs),
      logTimeMs: defined(state.logTimeMs),

      nextOffset: state.nextOffset === 0 ? undefined : state.nextOffset,
    };
  }

  snapshotPartition(partition: number): PartitionSnapshot<M> {
    checkPartition(partition);
    return writePartitionSnapshot(this.states.get(partition) ?? this.emptyState(partition));
  }

  takeChanges(partition: number): PartitionChanges<M> {
    checkPartition(partition);
    return takePartitionChanges(this.states.get(partition) ?? this.emptyState(partition));
  }

  arrivalOf(partition: number, key: string): KeyArrival | null {
    checkPartition(partition);
    const state = this.states.get(partition)?.keys.get(key);
    return state === undefined ? null : arrivalOf(state);
  }

  snapshotKey(partition: number, key: string): KeySnapshot<M> | undefined {
    checkPartition(partition);
    const state = this.states.get(partition)?.keys.get(key);
    return state === undefined ? undefined : writeKey(state);
  }

  restorePartition(partition: number, snapshot: unknown): void {
    checkPartition(partition);
    const state = readPartitionSnapshot<M>(snapshot, this.options);
    if (state.partition !== partition)
      throw new WindowingError(
        'SNAPSHOT_PARTITION_MISMATCH',
        `Snapshot of partition ${state.partition} cannot restore partition ${partition}`,
        { partition, snapshotPartition: state.partition },
      );
    settleChanges(state, snapshot);
    this.states.set(partition, state);
    this.lastState = undefined;
  }

  releasePartition(partition: number): void {
    checkPartition(partition);
    this.states.delete(partition);
    this.lastState = undefined;
  }

  snapshot(): AggregatorSnapshot<M> {
    return {
      format: AGGREGATOR_SNAPSHOT_FORMAT,
      version: SNAPSHOT_VERSION,
      spec: this.spec,
      partitions: this.statesInOrder().map((state) => writePartitionSnapshot(state)),
    };
  }

  restore(snapshot: unknown): void {
    const states = readAggregatorSnapshot<M>(snapshot, this.options);
    for (const state of states) settleChanges(state, snapshot);
    this.states = new Map(states.map((state) => [state.partition, state]));
    this.lastState = undefined;
  }

  private statesInOrder(): PartitionState<M>[] {
    return [...this.states.values()].sort((a, b) => a.partition - b.partition);
  }

  private stateOf(partition: number): PartitionState<M> {
    const last = this.lastState;
    if (last !== undefined && last.partition === partition) return last;
    let state = this.states.get(partition);
    if (state === undefined) {
      state = this.emptyState(partition);
      this.states.set(partition, state);
    }
    this.lastState = state;
    return state;
  }

  private emptyState(partition: number): PartitionState<M> {
    return new PartitionState<M>(partition, this.spec, this.options);
  }
}

/**
 * A restored state matches what its store holds: nothing has changed since, unless the
 * snapshot was migrated from version 1 (the store holds the old format: rewrite every key).
 */
function settleChanges<M>(state: PartitionState<M>, snapshot: unknown): void {
  if ((snapshot as { version?: unknown }).version === 1)
    for (const key of state.keys.values()) state.touch(key);
}

function checkPartition(partition: number): void {
  if (!isPartition(partition))
    throw new WindowingError(
      'ARGUMENT_INVALID',
      `partition must be a non-negative integer, got ${String(partition)}`,
      {
        partition,
      },
    );
}
