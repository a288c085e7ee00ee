import {
  parseDurationMs,
  validateRateOfChangeRule,
  type InstrumentType,
  type RateOfChangeRuleConfig,
} from '@geostream/instrument-schemas';
import { QUIET_DIRECTION, readDirectionState, type DirectionAlertState } from '../alert-state';
import {
  arrayAt,
  finiteAt,
  integerAt,
  invalidState,
  nullable,
  versionedObject,
} from '../state-reader';
import type { Moments } from './moments';

export const RATE_STATE_VERSION = 1;

/**
 * Buckets per rate interval. The rate is fitted over the last RATE_BUCKETS buckets (the current
 * one partly filled), so it covers between 11/12 and all of the rule's interval, and the state
 * holds at most 12 buckets however many windows the interval has (8,640 of a 1 s logger in 24 h).
 */
export const RATE_BUCKETS = 12;

/**
 * One time bucket's regression moments: [index, w, t, y, stt, sty]. `index` is
 * floor(time / bucket width) since the epoch; `t` is the weighted mean time in ms from the
 * bucket's start; see Moments for the rest. A tuple, not an object: it is checkpointed for every
 * instrument with a rate rule.
 */
export type RateBucket = readonly [
  index: number,
  w: number,
  t: number,
  y: number,
  stt: number,
  sty: number,
];

/** One instrument's rate-of-change state. Plain JSON, bounded: at most RATE_BUCKETS buckets. */
export interface RateState {
  readonly schema_version: typeof RATE_STATE_VERSION;
  /** The rule the buckets were kept under (its interval sets their width), null before any. */
  readonly rule: RateOfChangeRuleConfig | null;
  /** window_start (ms) of the last window evaluated; older or equal ones are not re-evaluated. */
  readonly last_window_start_ms: number | null;
  /** Ascending by index, within the last RATE_BUCKETS indexes. */
  readonly buckets: readonly RateBucket[];
  readonly rising: DirectionAlertState;
  readonly falling: DirectionAlertState;
}

export function initialRateState(): RateState {
  return {
    schema_version: RATE_STATE_VERSION,
    rule: null,
    last_window_start_ms: null,
    buckets: [],
    rising: QUIET_DIRECTION,
    falling: QUIET_DIRECTION,
  };
}

const bucketMsByInterval = new Map<string, number>();

/**
 * The bucket width of a rule: its interval over RATE_BUCKETS, whole ms. Asked for every window
 * (1% of the processor's CPU when parsed each time): remembered per interval text, of which a
 * site configuration has a handful.
 */
export function bucketMsOf(rule: RateOfChangeRuleConfig): number {
  let ms = bucketMsByInterval.get(rule.over);
  if (ms === undefined) {
    ms = Math.ceil((parseDurationMs(rule.over) as number) / RATE_BUCKETS);
    bucketMsByInterval.set(rule.over, ms);
  }
  return ms;
}

export function bucketMoments(bucket: RateBucket): Moments {
  return { w: bucket[1], t: bucket[2], y: bucket[3], stt: bucket[4], sty: bucket[5] };
}

export function toBucket(index: number, m: Moments): RateBucket {
  return [index, m.w, m.t, m.y, m.stt, m.sty];
}

function readBucket(value: unknown, bucketMs: number, path: string): RateBucket {
  const items = arrayAt(value, path, 6);
  if (items.length !== 6) throw invalidState(path, 'must be [index, w, t, y, stt, sty]');
  const index = integerAt(items[0], `${path}[0]`, 0);
  const [w, t, y, stt, sty] = items.slice(1).map((v, i) => finiteAt(v, `${path}[${i + 1}]`)) as [
    number,
    number,
    number,
    number,
    number,
  ];
  if (!(w > 0)) throw invalidState(`${path}[1]`, 'must be > 0 (an empty bucket is not stored)');
  if (t < 0 || t > bucketMs)
    throw invalidState(`${path}[2]`, `must lie in the bucket (0..${bucketMs})`);
  if (stt < 0) throw invalidState(`${path}[4]`, 'must be >= 0');
  return [index, w, t, y, stt, sty];
}

/**
 * A rate state read back from a checkpoint, checked whole: version, the rule, buckets within
 * one interval and ascending, debounce states. `instrument`, when given, also checks the rule's
 * unit against the type's.
 * @throws AlertingError STATE_INVALID | STATE_VERSION_UNSUPPORTED
 */
export function readRateState(json: unknown, instrument?: InstrumentType, path = '$'): RateState {
  const object = versionedObject(json, RATE_STATE_VERSION, path);
  const rule = nullable(object['rule'], (value) => {
    const checked = validateRateOfChangeRule(value, instrument, `${path}.rule`);
    if (!checked.ok)
      throw invalidState(
        `${path}.rule`,
        `is not a rate rule: ${checked.problems.map((p) => p.message).join('; ')}`,
      );
    return checked.value;
  });
  const last = nullable(object['last_window_start_ms'], (v) =>
    integerAt(v, `${path}.last_window_start_ms`),
  );
  const raw = arrayAt(object['buckets'], `${path}.buckets`, RATE_BUCKETS);
  if (rule === null && raw.length > 0)
    throw invalidState(`${path}.buckets`, 'must be empty without a rule');
  const bucketMs = rule === null ? 0 : bucketMsOf(rule);
  const buckets = raw.map((b, i) => readBucket(b, bucketMs, `${path}.buckets[${i}]`));
  const first = buckets[0];
  const last_ = buckets[buckets.length - 1];
  if (first && last_ && last_[0] - first[0] >= RATE_BUCKETS)
    throw invalidState(`${path}.buckets`, `must lie within ${RATE_BUCKETS} consecutive indexes`);
  buckets.forEach((b, i) => {
    const before = buckets[i - 1];
    if (before && !(before[0] < b[0]))
      throw invalidState(`${path}.buckets[${i}]`, 'indexes must ascend');
  });
  return {
    schema_version: RATE_STATE_VERSION,
    rule,
    last_window_start_ms: last,
    buckets,
    rising: readDirectionState(object['rising'], `${path}.rising`),
    falling: readDirectionState(object['falling'], `${path}.falling`),
  };
}
