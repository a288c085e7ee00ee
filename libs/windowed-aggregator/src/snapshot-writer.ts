import type { KeyState } from './key-state';
import type { PartitionState } from './partition-state';
import {
  PARTITION_SNAPSHOT_FORMAT,
  SNAPSHOT_VERSION,
  type KeySnapshot,
  type PartitionChanges,
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
  const keys = [...state.keys.values()].sort(compareStates);
  return { ...writeHeader(state), keys: keys.map(writeKey) };
}

/** The keys changed and forgotten since the last call; marks every key unchanged. */
export function takePartitionChanges<M>(state: PartitionState<M>): PartitionChanges<M> {
  const changed = state.changedKeys.filter((key) => state.keys.get(key.key) === key);
  for (const key of state.changedKeys) key.changed = false;
  state.changedKeys = [];
  const forgotten = [...new Set(state.forgottenKeys)].filter((key) => !state.keys.has(key));
  state.forgottenKeys = [];
  changed.sort(compareStates);
  forgotten.sort(compareCodeUnits);
  return { header: writeHeader(state), changed: changed.map(writeKey), forgotten };
}

function writeHeader<M>(state: PartitionState<M>): PartitionSnapshot<M> {
  return {
    format: PARTITION_SNAPSHOT_FORMAT,
    version: SNAPSHOT_VERSION,
    partition: state.partition,
    spec: state.spec,
    nextOffset: state.nextOffset,
    logTimeMs: finiteOrNull(state.logTimeMs),
    maxEventTimeMs: finiteOrNull(state.maxEventTimeMs),
    floorMs: finiteOrNull(state.floorMs),
    counters: { ...state.counters },
    keys: [],
  };
}

export function writeKey<M>(key: KeyState<M>): KeySnapshot<M> {
  const logged = key.lastLogTimeMs !== -Infinity;
  return {
    key: key.key,
    maxEventTimeMs: finiteOrNull(key.maxEventTimeMs),
    closedUntilMs: finiteOrNull(key.closedUntilMs),
    closedReason: key.closedUntilMs === -Infinity ? null : key.closedReason,
    lastLogTimeMs: logged ? key.lastLogTimeMs : null,
    delayLowMs: logged ? key.delayLowMs : null,
    delayHighMs: logged ? key.delayHighMs : null,
    eventTimes: key.times.slice(),
    windows: key.windows.map(writeWindow),
  };
}

function writeWindow<M>(window: WindowAccumulator<M>): WindowSnapshot<M> {
  return {
    startMs: window.startMs,
    endMs: window.endMs,
    count: window.count,
    sum: window.sum,
    compensation: window.compensation,
    scaleExponent: window.scaleExponent,
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

function compareStates<M>(a: KeyState<M>, b: KeyState<M>): number {
  return compareCodeUnits(a.key, b.key);
}

export function compareCodeUnits(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
