import {
  ALARM_LEVELS,
  type AlarmLevel,
  type NoDataAlarmEvent,
  type SilenceRule,
} from '@geostream/instrument-schemas';
import {
  arrayAt,
  finiteAt,
  integerAt,
  invalidState,
  nullable,
  objectAt,
  versionedObject,
} from '../state-reader';

export const SILENCE_STATE_VERSION = 1;

/**
 * Gaps remembered to learn an instrument's interval from. Their median ignores up to two
 * outliers (one long outage, one hand-triggered extra upload) and follows a logger whose rhythm
 * really changed after three gaps.
 */
export const LEARNT_GAPS = 5;

/** What a raised no_data alarm was raised with: its clear reports the same. */
export interface RaisedSilence {
  readonly level: AlarmLevel;
  readonly expected_interval_ms: number;
  readonly interval_source: NoDataAlarmEvent['interval_source'];
  readonly multiplier: number;
}

/**
 * One instrument's silence state. Plain JSON, bounded (at most LEARNT_GAPS gaps). Times are the
 * partition clock's: `_ms` running time (PipelineClock.running_ms), `_log_ms` log time.
 */
export interface SilenceState {
  readonly schema_version: typeof SILENCE_STATE_VERSION;
  /** Running time of the last delivery (a new reading of this instrument). */
  readonly last_delivery_ms: number;
  /** Log time of the last delivery: a silence's `silent_since`. */
  readonly last_delivery_log_ms: number;
  /**
   * Running time of the first delivery of the current burst: deliveries closer together than
   * the learnt interval's floor are one burst (a store-and-forward upload of many readings), so
   * gaps are measured between bursts and a burst's few milliseconds never count as a rhythm.
   */
  readonly burst_start_ms: number;
  /** The last LEARNT_GAPS gaps between bursts, oldest first, ms of running time. */
  readonly gaps_ms: readonly number[];
  /** The no_data alarm raised, or null. */
  readonly raised: RaisedSilence | null;
}

export interface ExpectedInterval {
  readonly ms: number;
  readonly source: NoDataAlarmEvent['interval_source'];
}

/**
 * The interval an instrument is expected to deliver at: the configured one; or the median of
 * its recent gaps (the upper one of an even count) within the rule's floor and ceiling; or,
 * before any gap was seen, the ceiling (an instrument seen once is not called silent early).
 */
export function expectedInterval(state: SilenceState, rule: SilenceRule): ExpectedInterval {
  const expected = rule.expected;
  if (expected.kind === 'fixed') return { ms: expected.intervalMs, source: 'configured' };
  if (state.gaps_ms.length === 0) return { ms: expected.ceilingMs, source: 'initial' };
  const median = upperMedian(state.gaps_ms);
  return {
    ms: Math.min(expected.ceilingMs, Math.max(expected.floorMs, median)),
    source: 'learnt',
  };
}

/**
 * The median of a few values (the upper one of an even count). Asked at every delivery: an
 * insertion sort of a small copy, without the comparator calls of Array.prototype.sort.
 */
function upperMedian(values: readonly number[]): number {
  const n = values.length;
  const sorted = new Array<number>(n);
  for (let k = 0; k < n; k++) {
    const value = values[k] as number;
    let i = k;
    while (i > 0 && (sorted[i - 1] as number) > value) {
      sorted[i] = sorted[i - 1] as number;
      i -= 1;
    }
    sorted[i] = value;
  }
  return sorted[n >> 1] as number;
}

/**
 * The running time (PipelineClock.running_ms) from which the instrument counts as silent: its
 * last delivery plus `multiplier` expected intervals. Undefined while its no_data alarm is
 * raised (nothing more to decide until it delivers). It changes only when the instrument
 * delivers, so a processor keeps one timer per instrument, ordered by it, and calls
 * checkSilence when the partition's running time reaches it.
 */
export function silentAt(state: SilenceState, rule: SilenceRule): number | undefined {
  if (state.raised !== null) return undefined;
  return state.last_delivery_ms + Math.ceil(rule.multiplier * expectedInterval(state, rule).ms);
}

function readRaised(value: unknown, path: string): RaisedSilence {
  const object = objectAt(value, path);
  const level = object['level'];
  if (!(ALARM_LEVELS as readonly unknown[]).includes(level))
    throw invalidState(`${path}.level`, `must be one of ${ALARM_LEVELS.join(', ')}`);
  const source = object['interval_source'];
  if (source !== 'configured' && source !== 'learnt' && source !== 'initial')
    throw invalidState(`${path}.interval_source`, 'must be configured, learnt or initial');
  const multiplier = finiteAt(object['multiplier'], `${path}.multiplier`);
  if (multiplier < 1) throw invalidState(`${path}.multiplier`, 'must be >= 1');
  return {
    level: level as AlarmLevel,
    expected_interval_ms: integerAt(
      object['expected_interval_ms'],
      `${path}.expected_interval_ms`,
      1,
    ),
    interval_source: source,
    multiplier,
  };
}

/**
 * A silence state read back from a checkpoint, checked whole.
 * @throws AlertingError STATE_INVALID | STATE_VERSION_UNSUPPORTED
 */
export function readSilenceState(json: unknown, path = '$'): SilenceState {
  const object = versionedObject(json, SILENCE_STATE_VERSION, path);
  const last = integerAt(object['last_delivery_ms'], `${path}.last_delivery_ms`, 0);
  const lastLog = integerAt(object['last_delivery_log_ms'], `${path}.last_delivery_log_ms`, 0);
  const burst = integerAt(object['burst_start_ms'], `${path}.burst_start_ms`, 0);
  if (burst > last)
    throw invalidState(`${path}.burst_start_ms`, 'must not be after last_delivery_ms');
  const gaps = arrayAt(object['gaps_ms'], `${path}.gaps_ms`, LEARNT_GAPS).map((g, i) =>
    integerAt(g, `${path}.gaps_ms[${i}]`, 1),
  );
  return {
    schema_version: SILENCE_STATE_VERSION,
    last_delivery_ms: last,
    last_delivery_log_ms: lastLog,
    burst_start_ms: burst,
    gaps_ms: gaps,
    raised: nullable(object['raised'], (v) => readRaised(v, `${path}.raised`)),
  };
}
