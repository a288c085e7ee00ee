import {
  RATE_STATE_VERSION,
  SILENCE_STATE_VERSION,
  type DirectionAlertState,
  type RateState,
  type SilenceState,
} from '@geostream/alerting';
import type { KeySnapshot, WindowSnapshot } from '@geostream/windowed-aggregator';
import type { InstrumentCheckpointState } from './checkpoint-state';
import type { InstrumentAlarmState } from './instrument-alarms';
import type { ReadingMeta } from './reading-meta';

/**
 * The compact form of an instrument's checkpoint row (checkpoint version 3): the same values as
 * InstrumentCheckpointState, as positional arrays without field names, times and offsets as
 * differences from a base. Every instrument of a partition that changed is written at each
 * checkpoint, so the row's size is what a checkpoint costs in bytes, PostgreSQL work and the
 * processor's memory while the write is in flight: about a third of the named form (version 2).
 *
 * Decoding only restores the named shapes; the readers of each part (the aggregator's snapshot
 * reader, the alerting readers, readCheckpoint) check the values as they always did.
 */
export type InstrumentCheckpointRow = readonly [
  aggregator: CompactKey | null,
  alert: unknown,
  rate: CompactRate | null,
  silence: CompactSilence | null,
  clock: InstrumentAlarmState['clock'],
];

/** KeySnapshot without its key (the row's key): eventTimes as first value then differences. */
type CompactKey = readonly [
  maxEventTimeMs: number | null,
  closedUntilMs: number | null,
  closedReason: string | null,
  lastLogTimeMs: number | null,
  delayLowMs: number | null,
  delayHighMs: number | null,
  eventTimes: readonly number[],
  windows: readonly CompactWindow[],
];

/** WindowSnapshot: times after startMs, offsets after minOffset. */
type CompactWindow = readonly [
  startMs: number,
  sizeMs: number,
  count: number,
  sum: number,
  compensation: number,
  scaleExponent: number,
  min: number,
  max: number,
  firstEventAfterStartMs: number,
  lastEventAfterStartMs: number,
  latestMeta: unknown,
  minOffset: number,
  latestAfterMinOffset: number,
  maxAfterMinOffset: number,
];

type CompactDirection = readonly [level: string, pendingLevel: string | null, pendingCount: number];

/** RateState without schema_version (the row's version says it); its rule as it is. */
type CompactRate = readonly [
  lastWindowStartMs: number | null,
  buckets: RateState['buckets'],
  rising: CompactDirection,
  falling: CompactDirection,
  rule: RateState['rule'],
];

type CompactSilence = readonly [
  lastDeliveryMs: number,
  lastDeliveryLogMs: number,
  burstStartMs: number,
  gapsMs: readonly number[],
  raised: SilenceState['raised'],
];

export function encodeInstrumentRow(state: InstrumentCheckpointState): InstrumentCheckpointRow {
  const alarms = state.alarms;
  return [
    state.aggregator === null ? null : encodeKey(state.aggregator),
    state.alert,
    alarms?.rate == null ? null : encodeRate(alarms.rate),
    alarms?.silence == null ? null : encodeSilence(alarms.silence),
    alarms?.clock ?? null,
  ];
}

/** Why a row could not be decoded; the caller names the instrument. */
export class RowDecodeError extends Error {
  override readonly name = 'RowDecodeError';
}

/** A row's parts in their named shapes, their values not checked yet. */
export type UncheckedRowParts = Readonly<Record<keyof InstrumentCheckpointState, unknown>>;

/**
 * The named parts of a compact row of instrument `key`. `alarms` is null when the row holds no
 * rate, silence nor clock state (as version 2 wrote it).
 * @throws RowDecodeError when the row does not have the compact shape
 */
export function decodeInstrumentRow(key: string, row: unknown): UncheckedRowParts {
  const [aggregator, alert, rate, silence, clock] = tuple(row, 5, 'row');
  const alarms =
    rate === null && silence === null && clock === null
      ? null
      : {
          rate: rate === null ? null : decodeRate(rate),
          silence: silence === null ? null : decodeSilence(silence),
          clock,
        };
  return {
    aggregator: aggregator === null ? null : decodeKey(key, aggregator),
    alert,
    alarms,
  };
}

function encodeKey(key: KeySnapshot<ReadingMeta>): CompactKey {
  return [
    key.maxEventTimeMs,
    key.closedUntilMs,
    key.closedReason,
    key.lastLogTimeMs,
    key.delayLowMs,
    key.delayHighMs,
    differences(key.eventTimes),
    key.windows.map(encodeWindow),
  ];
}

function decodeKey(key: string, value: unknown): Record<keyof KeySnapshot, unknown> {
  const fields = tuple(value, 8, 'aggregator');
  return {
    key,
    maxEventTimeMs: fields[0],
    closedUntilMs: fields[1],
    closedReason: fields[2],
    lastLogTimeMs: fields[3],
    delayLowMs: fields[4],
    delayHighMs: fields[5],
    eventTimes: sums(fields[6], 'aggregator.eventTimes'),
    windows: list(fields[7], 'aggregator.windows').map(decodeWindow),
  };
}

function encodeWindow(window: WindowSnapshot<ReadingMeta>): CompactWindow {
  const start = window.startMs;
  const minOffset = window.minOffset;
  return [
    start,
    window.endMs - start,
    window.count,
    window.sum,
    window.compensation,
    window.scaleExponent,
    window.min,
    window.max,
    window.firstEventTimeMs - start,
    window.lastEventTimeMs - start,
    window.latestMeta,
    minOffset,
    window.latestOffset - minOffset,
    window.maxOffset - minOffset,
  ];
}

function decodeWindow(value: unknown, index: number): Record<keyof WindowSnapshot, unknown> {
  const what = `aggregator.windows[${index}]`;
  const fields = tuple(value, 14, what);
  // The numbers are checked here (a sum with null would be a number); the aggregator checks
  // what they mean.
  const n = (at: number) => {
    const field = fields[at];
    if (typeof field !== 'number') throw new RowDecodeError(`${what}[${at}] is not a number`);
    return field;
  };
  const start = n(0);
  const minOffset = n(11);
  return {
    startMs: start,
    endMs: start + n(1),
    count: n(2),
    sum: n(3),
    compensation: n(4),
    scaleExponent: n(5),
    min: n(6),
    max: n(7),
    firstEventTimeMs: start + n(8),
    lastEventTimeMs: start + n(9),
    latestMeta: fields[10],
    latestOffset: minOffset + n(12),
    minOffset,
    maxOffset: minOffset + n(13),
  };
}

function encodeRate(rate: RateState): CompactRate {
  return [
    rate.last_window_start_ms,
    rate.buckets,
    encodeDirection(rate.rising),
    encodeDirection(rate.falling),
    rate.rule,
  ];
}

/** Named again, for readRateState to check. */
function decodeRate(value: unknown): unknown {
  const [lastWindowStartMs, buckets, rising, falling, rule] = tuple(value, 5, 'rate');
  return {
    // The row's version fixes the state's: a new alerting state version needs a new row version.
    schema_version: RATE_STATE_VERSION satisfies 1,
    rule,
    last_window_start_ms: lastWindowStartMs,
    buckets,
    rising: decodeDirection(rising, 'rate.rising'),
    falling: decodeDirection(falling, 'rate.falling'),
  };
}

const encodeDirection = (state: DirectionAlertState): CompactDirection => [
  state.level,
  state.pending_level,
  state.pending_count,
];

function decodeDirection(value: unknown, what: string): unknown {
  const [level, pendingLevel, pendingCount] = tuple(value, 3, what);
  return { level, pending_level: pendingLevel, pending_count: pendingCount };
}

function encodeSilence(silence: SilenceState): CompactSilence {
  return [
    silence.last_delivery_ms,
    silence.last_delivery_log_ms,
    silence.burst_start_ms,
    silence.gaps_ms,
    silence.raised,
  ];
}

/** Named again, for readSilenceState to check. */
function decodeSilence(value: unknown): unknown {
  const [lastDeliveryMs, lastDeliveryLogMs, burstStartMs, gapsMs, raised] = tuple(
    value,
    5,
    'silence',
  );
  return {
    schema_version: SILENCE_STATE_VERSION satisfies 1,
    last_delivery_ms: lastDeliveryMs,
    last_delivery_log_ms: lastDeliveryLogMs,
    burst_start_ms: burstStartMs,
    gaps_ms: gapsMs,
    raised,
  };
}

/** Ascending times as the first and the differences: 1000 rather than 1704067491757. */
function differences(values: readonly number[]): number[] {
  const out = new Array<number>(values.length);
  let previous = 0;
  for (let i = 0; i < values.length; i++) {
    const value = values[i] as number;
    out[i] = value - previous;
    previous = value;
  }
  return out;
}

function sums(value: unknown, what: string): number[] {
  const deltas = list(value, what);
  const out = new Array<number>(deltas.length);
  let total = 0;
  for (let i = 0; i < deltas.length; i++) {
    const delta = deltas[i];
    if (typeof delta !== 'number') throw new RowDecodeError(`${what}[${i}] is not a number`);
    total += delta;
    out[i] = total;
  }
  return out;
}

function list(value: unknown, what: string): unknown[] {
  if (!Array.isArray(value)) throw new RowDecodeError(`${what} is not an array`);
  return value;
}

function tuple(value: unknown, length: number, what: string): unknown[] {
  const fields = list(value, what);
  if (fields.length !== length)
    throw new RowDecodeError(`${what} has ${fields.length} fields, not ${length}`);
  return fields;
}
