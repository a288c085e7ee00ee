import { isValidEventTime, latestWindowStart } from './assignment';
import { WindowingError } from './errors';
import { hasTime } from './event-time-set';
import { KeyState } from './key-state';
import type { ResolvedOptions } from './options';
import { PartitionState } from './partition-state';
import { isOffset, isPartition } from './record';
import {
  AGGREGATOR_SNAPSHOT_FORMAT,
  PARTITION_SNAPSHOT_FORMAT,
  SNAPSHOT_VERSION,
} from './snapshot-format';
import { validateWindowSpec, windowSpecsEqual, type WindowSpec } from './window-spec';
import { SCALE_EXPONENT, WindowAccumulator } from './window-accumulator';
import type { LateReason } from './outputs';

type Json = Record<string, unknown>;

/**
 * Reads an aggregator snapshot into fresh partition states. Validates everything before
 * returning, so a caller swaps state in only when the whole snapshot is sound.
 * @throws WindowingError SNAPSHOT_INVALID | SNAPSHOT_VERSION_UNSUPPORTED | SNAPSHOT_SPEC_MISMATCH
 */
export function readAggregatorSnapshot<M>(
  snapshot: unknown,
  options: ResolvedOptions,
): PartitionState<M>[] {
  const root = header(snapshot, AGGREGATOR_SNAPSHOT_FORMAT, '$');
  checkSpec(root['spec'], options.spec, '$.spec');
  const partitions = array(root['partitions'], '$.partitions');
  const states = partitions.map((p, i) =>
    readPartitionSnapshot<M>(p, options, `$.partitions[${i}]`),
  );
  states.reduce((previous, state, i) => {
    if (state.partition <= previous)
      throw invalid(`$.partitions[${i}]`, 'partitions must be unique and ascending');
    return state.partition;
  }, -1);
  return states;
}

/**
 * Reads one partition snapshot into a fresh state (see readAggregatorSnapshot). A version-1
 * snapshot (one watermark per partition) is migrated: its watermark becomes every key's
 * closedUntilMs and the partition's floorMs, so nothing it emitted is emitted again, and each
 * key's own clock starts at the latest event time its open windows hold.
 */
export function readPartitionSnapshot<M>(
  snapshot: unknown,
  options: ResolvedOptions,
  path = '$',
): PartitionState<M> {
  const root = header(snapshot, PARTITION_SNAPSHOT_FORMAT, path);
  const legacy = root['version'] === 1;
  const spec = options.spec;
  checkSpec(root['spec'], spec, `${path}.spec`);
  const partition = root['partition'];
  if (!isPartition(partition)) throw invalid(`${path}.partition`, 'must be a non-negative integer');
  const state = new PartitionState<M>(partition, spec, options);
  state.nextOffset = offset(root['nextOffset'], `${path}.nextOffset`);
  state.maxEventTimeMs = nullableTime(
    root['maxEventTimeMs'],
    `${path}.maxEventTimeMs`,
    isValidEventTime,
  );
  if (legacy) {
    const advancedToMs = nullableTime(
      root['advancedToMs'],
      `${path}.advancedToMs`,
      Number.isSafeInteger,
    );
    state.floorMs = Math.max(state.maxEventTimeMs - spec.graceMs, advancedToMs);
  } else {
    state.logTimeMs = nullableTime(root['logTimeMs'], `${path}.logTimeMs`, isValidEventTime);
    state.floorMs = nullableTime(root['floorMs'], `${path}.floorMs`, Number.isSafeInteger);
  }
  const counters = object(root['counters'], `${path}.counters`);
  for (const name of Object.keys(state.counters) as (keyof typeof state.counters)[])
    state.counters[name] = count(counters[name], `${path}.counters.${name}`, 0);

  const keys = array(root['keys'], `${path}.keys`);
  let previousKey: string | undefined;
  keys.forEach((value, i) => {
    const keyPath = `${path}.keys[${i}]`;
    const keyState = legacy
      ? readLegacyKey<M>(value, state, options, keyPath)
      : readKey<M>(value, state, options, keyPath);
    if (previousKey !== undefined && !(previousKey < keyState.key))
      throw invalid(`${keyPath}.key`, 'keys must be unique and in ascending order');
    previousKey = keyState.key;
    state.keys.set(keyState.key, keyState);
  });
  state.reindex();
  return state;
}

const LATE_REASONS: ReadonlySet<unknown> = new Set<LateReason>([
  'window_closed',
  'window_quiet',
  'window_flushed',
  'window_evicted',
]);

function readKey<M>(
  value: unknown,
  state: PartitionState<M>,
  options: ResolvedOptions,
  path: string,
): KeyState<M> {
  const json = object(value, path);
  const key = json['key'];
  if (typeof key !== 'string') throw invalid(`${path}.key`, 'must be a string');
  const keyState = new KeyState<M>(key);
  keyState.maxEventTimeMs = nullableTime(
    json['maxEventTimeMs'],
    `${path}.maxEventTimeMs`,
    isValidEventTime,
  );
  if (keyState.maxEventTimeMs > state.maxEventTimeMs)
    throw invalid(`${path}.maxEventTimeMs`, "is after the partition's maxEventTimeMs");
  keyState.closedUntilMs = nullableTime(
    json['closedUntilMs'],
    `${path}.closedUntilMs`,
    Number.isSafeInteger,
  );
  const reason = json['closedReason'];
  if (keyState.closedUntilMs === -Infinity ? reason !== null : !LATE_REASONS.has(reason))
    throw invalid(`${path}.closedReason`, 'must name why closedUntilMs moved (null without it)');
  if (reason !== null) keyState.closedReason = reason as LateReason;
  const lastLogTimeMs = json['lastLogTimeMs'];
  if (lastLogTimeMs === null) {
    if (json['delayLowMs'] !== null || json['delayHighMs'] !== null)
      throw invalid(`${path}.delayLowMs`, 'must be null without lastLogTimeMs');
  } else {
    if (!isValidEventTime(lastLogTimeMs) || lastLogTimeMs > state.logTimeMs)
      throw invalid(`${path}.lastLogTimeMs`, "must be a log time no later than the partition's");
    keyState.lastLogTimeMs = lastLogTimeMs;
    keyState.delayLowMs = safeInteger(json['delayLowMs'], `${path}.delayLowMs`);
    keyState.delayHighMs = safeInteger(json['delayHighMs'], `${path}.delayHighMs`);
    if (keyState.delayLowMs > keyState.delayHighMs)
      throw invalid(`${path}.delayLowMs`, 'exceeds delayHighMs');
  }
  readWindowsInto(keyState, json, state, options, path);
  return keyState;
}

/** A version-1 key: only closedUntilMs besides its windows. */
function readLegacyKey<M>(
  value: unknown,
  state: PartitionState<M>,
  options: ResolvedOptions,
  path: string,
): KeyState<M> {
  const json = object(value, path);
  const key = json['key'];
  if (typeof key !== 'string') throw invalid(`${path}.key`, 'must be a string');
  const keyState = new KeyState<M>(key);
  const closedUntilMs = nullableTime(
    json['closedUntilMs'],
    `${path}.closedUntilMs`,
    Number.isSafeInteger,
  );
  keyState.closedUntilMs = Math.max(closedUntilMs, state.floorMs);
  readWindowsInto(keyState, json, state, options, path);
  const times = keyState.times;
  keyState.maxEventTimeMs = times.length > 0 ? (times[times.length - 1] as number) : -Infinity;
  return keyState;
}

function readWindowsInto<M>(
  keyState: KeyState<M>,
  json: Json,
  state: PartitionState<M>,
  options: ResolvedOptions,
  path: string,
): void {
  const eventTimes = array(json['eventTimes'], `${path}.eventTimes`);
  eventTimes.forEach((time, i) => {
    if (!isValidEventTime(time)) throw invalid(`${path}.eventTimes[${i}]`, 'must be an event time');
    if (i > 0 && !(time > (eventTimes[i - 1] as number)))
      throw invalid(`${path}.eventTimes[${i}]`, 'event times must be distinct and ascending');
    if (time > state.maxEventTimeMs)
      throw invalid(`${path}.eventTimes[${i}]`, 'is after maxEventTimeMs');
  });
  const times = eventTimes as number[];
  const windows = array(json['windows'], `${path}.windows`).map((w, i) =>
    readWindow<M>(w, keyState, times, state, options, `${path}.windows[${i}]`),
  );
  if (windows.length === 0) {
    if (eventTimes.length > 0)
      throw invalid(`${path}.eventTimes`, 'a key without open windows holds no event times');
  } else {
    const session = options.spec.kind === 'session';
    windows.reduce((before, after, i) => {
      if (!(after.startMs > before.startMs) || (session && after.startMs < before.endMs))
        throw invalid(`${path}.windows[${i}]`, 'windows must be ascending (sessions disjoint)');
      return after;
    });
    const [first] = windows as [WindowAccumulator<M>];
    if (!(keyState.closedUntilMs < (session ? first.startMs + 1 : first.endMs)))
      throw invalid(`${path}.closedUntilMs`, 'must precede the open windows');
    const counted = windows.reduce((sum, w) => sum + w.count, 0);
    const distinctTimes = options.spec.kind !== 'hopping';
    if (
      (distinctTimes && counted !== eventTimes.length) ||
      (!distinctTimes && windows.some((w) => w.count > eventTimes.length))
    )
      throw invalid(`${path}.eventTimes`, "does not match the windows' counts");
    if ((eventTimes[0] as number) < first.startMs)
      throw invalid(`${path}.eventTimes`, 'holds a time before the open windows');
  }
  keyState.restore(windows, times);
}

function readWindow<M>(
  value: unknown,
  keyState: KeyState<M>,
  times: readonly number[],
  state: PartitionState<M>,
  options: ResolvedOptions,
  path: string,
): WindowAccumulator<M> {
  const json = object(value, path);
  const int = (field: string): number => {
    const v = json[field];
    if (typeof v !== 'number' || !Number.isSafeInteger(v))
      throw invalid(`${path}.${field}`, 'must be an integer');
    return v;
  };
  const finite = (field: string): number => {
    const v = json[field];
    if (typeof v !== 'number' || !Number.isFinite(v))
      throw invalid(`${path}.${field}`, 'must be a finite number');
    return v;
  };
  const startMs = int('startMs');
  const endMs = int('endMs');
  const first = int('firstEventTimeMs');
  const last = int('lastEventTimeMs');
  const latestOffset = offset(json['latestOffset'], `${path}.latestOffset`);
  const minOffset = offset(json['minOffset'], `${path}.minOffset`);
  const maxOffset = offset(json['maxOffset'], `${path}.maxOffset`);
  const min = finite('min');
  const max = finite('max');
  const latestMeta = json['latestMeta'];
  const spec: WindowSpec = options.spec;
  const window = new WindowAccumulator<M>(
    keyState,
    startMs,
    endMs,
    first,
    min,
    minOffset,
    latestMeta as M,
  );
  window.count = count(json['count'], `${path}.count`, 1);
  window.sum = finite('sum');
  window.compensation = finite('compensation');
  const scale = json['scaleExponent'] ?? 0; // absent in version 1
  if (scale !== 0 && scale !== SCALE_EXPONENT)
    throw invalid(`${path}.scaleExponent`, `must be 0 or ${SCALE_EXPONENT}`);
  window.scaleExponent = scale;
  window.min = min;
  window.max = max;
  window.lastEventTimeMs = last;
  window.latestOffset = latestOffset;
  window.maxOffset = maxOffset;

  const check = (ok: boolean, message: string): void => {
    if (!ok) throw invalid(path, message);
  };
  check(min <= max, 'min exceeds max');
  check(
    first <= last && hasTime(times, first) && hasTime(times, last),
    'first/last event times are not held by the key',
  );
  check(
    last <= state.maxEventTimeMs &&
      (keyState.maxEventTimeMs === -Infinity || last <= keyState.maxEventTimeMs),
    "lastEventTimeMs is after the key's maxEventTimeMs",
  );
  check(minOffset <= latestOffset && latestOffset <= maxOffset, 'offsets are out of order');
  check(maxOffset < state.nextOffset, 'maxOffset is not below nextOffset');
  check(
    endMs > keyState.maxEventTimeMs - spec.graceMs,
    "an open window must end after its key's watermark",
  );
  check(
    window.count > 1 || (first === last && minOffset === maxOffset),
    'a one-reading window spans readings',
  );
  if (spec.kind === 'session') {
    check(
      startMs === first && endMs === last + spec.gapMs,
      'session bounds must be [first, last + gap)',
    );
  } else {
    const advanceMs = spec.kind === 'hopping' ? spec.advanceMs : spec.sizeMs;
    check(latestWindowStart(startMs, advanceMs) === startMs, 'startMs is not on the window grid');
    check(endMs === startMs + spec.sizeMs, 'endMs must be startMs + sizeMs');
    check(startMs <= first && last < endMs, 'event times lie outside the window');
  }
  if (latestMeta === undefined || (options.isMeta !== undefined && !options.isMeta(latestMeta)))
    throw invalid(`${path}.latestMeta`, 'is not valid metadata');
  return window;
}

function header(snapshot: unknown, format: string, path: string): Json {
  const root = object(snapshot, path);
  if (root['format'] !== format)
    throw invalid(
      `${path}.format`,
      `must be ${JSON.stringify(format)}, got ${JSON.stringify(root['format'])}`,
    );
  if (root['version'] !== SNAPSHOT_VERSION && root['version'] !== 1)
    throw new WindowingError(
      'SNAPSHOT_VERSION_UNSUPPORTED',
      `Snapshot version ${JSON.stringify(root['version'])} is not supported (this build reads ${SNAPSHOT_VERSION})`,
      { path: `${path}.version`, version: root['version'] },
    );
  return root;
}

function checkSpec(value: unknown, expected: WindowSpec, path: string): void {
  let spec: WindowSpec;
  try {
    spec = validateWindowSpec(value);
  } catch (error) {
    throw invalid(path, 'is not a valid window spec', error);
  }
  if (!windowSpecsEqual(spec, expected))
    throw new WindowingError(
      'SNAPSHOT_SPEC_MISMATCH',
      `Snapshot was taken with window spec ${JSON.stringify(spec)}, this aggregator uses ${JSON.stringify(expected)}`,
      { path, snapshotSpec: spec, spec: expected },
    );
}

function object(value: unknown, path: string): Json {
  if (typeof value !== 'object' || value === null || Array.isArray(value))
    throw invalid(path, 'must be an object');
  return value as Json;
}

function array(value: unknown, path: string): unknown[] {
  if (!Array.isArray(value)) throw invalid(path, 'must be an array');
  return value;
}

function offset(value: unknown, path: string): number {
  if (!isOffset(value)) throw invalid(path, 'must be a non-negative integer offset');
  return value;
}

function count(value: unknown, path: string, min: number): number {
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < min)
    throw invalid(path, `must be an integer >= ${min}`);
  return value;
}

function safeInteger(value: unknown, path: string): number {
  if (typeof value !== 'number' || !Number.isSafeInteger(value))
    throw invalid(path, 'must be an integer');
  return value;
}

function nullableTime(value: unknown, path: string, isValid: (v: unknown) => boolean): number {
  if (value === null) return -Infinity;
  if (!isValid(value)) throw invalid(path, 'must be null or an integer time');
  return value as number;
}

function invalid(path: string, problem: string, cause?: unknown): WindowingError {
  return new WindowingError(
    'SNAPSHOT_INVALID',
    `Invalid snapshot: ${path} ${problem}`,
    { path },
    cause,
  );
}
