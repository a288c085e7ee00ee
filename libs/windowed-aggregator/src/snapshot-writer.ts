import type { PartitionState } from './partition-state';
import {
  PARTITION_SNAPSHOT_FORMAT,
  SNAPSHOT_VERSION,
  type KeySnapshot,
  type PartitionSnapshot,
  type WindowSnapshot,
} from './snapshot-format';
import type { WindowAccumulator } from './window-accumulator';

/**
 * Writes a partition's whole state as plain JSON. Keys are sorted, so two partitions in the
 * same state write identical snapshots whatever path led there. Metadata objects are shared
 * with the state, not copied: serialise the snapshot before mutating them.
 */
export function writePartitionSnapshot<M>(state: PartitionState<M>): PartitionSnapshot<M> {
  const keys = [...state.keys.values()].sort((a, b) => compareCodeUnits(a.key, b.key));
  return {
    format: PARTITION_SNAPSHOT_FORMAT,
    version: SNAPSHOT_VERSION,
    partition: state.partition,
    spec: state.spec,
    nextOffset: state.nextOffset,
    maxEventTimeMs: finiteOrNull(state.maxEventTimeMs),
    advancedToMs: finiteOrNull(state.advancedToMs),
    counters: { ...state.counters },
    keys: keys.map((keyState): KeySnapshot<M> => {
      return {
        key: keyState.key,
        closedUntilMs: finiteOrNull(keyState.closedUntilMs),
        eventTimes: keyState.times.slice(),
        windows: keyState.windows.map(writeWindow),
      };
    }),
  };
}

function writeWindow<M>(window: WindowAccumulator<M>): WindowSnapshot<M> {
  return {
    startMs: window.startMs,
    endMs: window.endMs,
    count: window.count,
    sum: window.sum,
    compensation: window.compensation,
    min: window.min,
    max: window.max,
    firstEventTimeMs: window.firstEventTimeMs,
    lastEventTimeMs: window.lastEventTimeMs,
    latestMeta: window.latestMeta,
    latestOffset: window.latestOffset,
    minOffset: window.minOffset,
    maxOffset: window.maxOffset,
  };
}

function finiteOrNull(value: number): number | null {
  return Number.isFinite(value) ? value : null;
}

export function compareCodeUnits(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
