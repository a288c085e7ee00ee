import {
  ALERT_SCHEMA_VERSION,
  rateAlarmId,
  toRateRule,
  type RateAlarmEvent,
  type RateRule,
  type TriggerDirection,
  type TriggerThresholds,
  type WindowRecord,
} from '@geostream/instrument-schemas';
import { isQuietDirection } from '../alert-state';
import { stepDirections, targetLevel } from '../direction-step';
import { resolveAlertingOptions, type AlertingOptions } from '../options';
import { NO_MOMENTS, mergeMoments, pointMoments, slopeOf, spanOf, type Moments } from './moments';
import {
  RATE_BUCKETS,
  RATE_STATE_VERSION,
  bucketMoments,
  bucketMsOf,
  initialRateState,
  toBucket,
  type RateBucket,
  type RateState,
} from './rate-state';

/**
 * A rate is judged only once the windows behind it spread over at least half the rule's
 * interval (spanOf >= interval / 2): a slope fitted to the first minutes of data and expressed
 * per day amplifies noise into false alarms. Until then levels hold (no raise, no clear).
 */
export const MIN_SPAN_FRACTION = 0.5;

export interface RateEvaluation {
  /** The instrument's rate state after this window: store it and pass it with the next. */
  readonly state: RateState;
  /**
   * The least-squares rate in the rule's unit (e.g. mm/day, negative when falling), or null:
   * no rule, too little data (span under half the interval), or a replayed window.
   */
  readonly rate: number | null;
  /** How widely the windows behind the rate spread in time, ms (see spanOf). */
  readonly spanMs: number;
  /** Raises and clears caused by this window: clears first, then raises. */
  readonly alerts: RateAlarmEvent[];
  /** False for a window not newer than the last one evaluated: state unchanged, no alerts. */
  readonly evaluated: boolean;
}

/** Adds a window's mean, at the window's midpoint and weighted by its reading count. */
function addWindow(
  buckets: readonly RateBucket[],
  bucketMs: number,
  midMs: number,
  mean: number,
  count: number,
): RateBucket[] {
  const index = Math.floor(midMs / bucketMs);
  const newest = Math.max(index, buckets[buckets.length - 1]?.[0] ?? index);
  const oldest = newest - RATE_BUCKETS + 1;
  const point = pointMoments(midMs - index * bucketMs, mean, count);
  const kept = buckets.filter((b) => b[0] >= oldest && b[0] !== index);
  if (index < oldest) return kept; // older than the interval (only hopping or session windows)
  const existing = buckets.find((b) => b[0] === index);
  const merged = toBucket(
    index,
    existing === undefined ? point : mergeMoments(bucketMoments(existing), point),
  );
  const at = kept.findIndex((b) => b[0] > index);
  if (at === -1) kept.push(merged);
  else kept.splice(at, 0, merged);
  return kept;
}

/** The moments of every bucket, times measured from the newest bucket's start. */
function totalMoments(buckets: readonly RateBucket[], bucketMs: number): Moments {
  const newest = buckets[buckets.length - 1]?.[0] ?? 0;
  let total = NO_MOMENTS;
  for (const bucket of buckets) {
    const m = bucketMoments(bucket);
    total = mergeMoments(total, { ...m, t: m.t + (bucket[0] - newest) * bucketMs });
  }
  return total;
}

/** The rate in the rule's unit from buckets, or null when too little data backs one. */
function rateOf(total: Moments, rule: RateRule): number | null {
  const slope = slopeOf(total);
  if (slope === undefined || spanOf(total) < MIN_SPAN_FRACTION * rule.intervalMs) return null;
  return slope * rule.perMs;
}

/**
 * A rule's levels as one direction's signed thresholds (falling: negative rates), reusing the
 * trigger-level classification; a level the rule does not define can never be reached.
 */
function rateThresholds(
  rule: RateRule | undefined,
  direction: TriggerDirection,
): TriggerThresholds | undefined {
  if (rule === undefined || (rule.direction !== 'both' && rule.direction !== direction))
    return undefined;
  const sign = direction === 'rising' ? 1 : -1;
  const at = (level: 'alert' | 'alarm' | 'action') => sign * (rule.levels[level] ?? Infinity);
  return { alert: at('alert'), alarm: at('alarm'), action: at('action') };
}

/**
 * Evaluates the rate of change of one instrument at one of its closed windows: a pure reducer
 * over its windows in event-time order, like evaluateWindow, and called with the same window
 * record (trigger_level set). The rate is the least-squares slope of the window means over the
 * rule's rolling interval (see the README for why least squares); each direction's level is
 * debounced (and given hysteresis by the rule's clear_margin) by the same step as trigger levels.
 *
 * `rule` undefined (the instrument's rate rule is 'off' or was removed) clears what is raised,
 * with the debounce, and then forgets the buckets.
 */
export function evaluateRate(
  previous: RateState | undefined,
  window: WindowRecord,
  rule: RateRule | undefined,
  options: AlertingOptions = {},
): RateEvaluation {
  const before = previous ?? initialRateState();
  const startMs = Date.parse(window.window_start);
  if (before.last_window_start_ms !== null && startMs <= before.last_window_start_ms)
    return { state: before, rate: null, spanMs: 0, alerts: [], evaluated: false };
  const resolved = resolveAlertingOptions(options);

  // The rule the buckets are kept under: the given one, else (clearing) the one they were.
  const kept =
    rule ?? (before.rule === null ? undefined : toRateRule(before.rule, window.instrument));
  let buckets = before.buckets;
  if (rule !== undefined) {
    const bucketMs = bucketMsOf(rule.config);
    if (before.rule === null || bucketMsOf(before.rule) !== bucketMs) buckets = [];
    const midMs = (startMs + Date.parse(window.window_end)) / 2;
    buckets = addWindow(buckets, bucketMs, midMs, window.reading_mean, window.reading_count);
  }
  const total = kept === undefined ? NO_MOMENTS : totalMoments(buckets, bucketMsOf(kept.config));
  const rate = kept === undefined ? null : rateOf(total, kept);
  const spanMs = spanOf(total);

  const next = stepDirections(
    before,
    (direction, current) => {
      const thresholds = rateThresholds(rule, direction);
      // Without a rate (too little data) a configured direction holds its level.
      if (thresholds !== undefined && rate === null) return undefined;
      return targetLevel(current, rate ?? 0, direction, thresholds, rule?.clearMargin ?? 0);
    },
    resolved,
  );
  const alerts =
    kept === undefined
      ? []
      : next.changes.map(({ direction, kind, from, to, crossed }): RateAlarmEvent => {
          const threshold =
            crossed === 'none' ? undefined : rateThresholds(rule, direction)?.[crossed];
          return {
            schema_version: ALERT_SCHEMA_VERSION,
            condition: 'rate',
            id: rateAlarmId(window.id, direction, kind, to),
            kind,
            instrument: window.instrument,
            borehole_number: window.borehole_number,
            from_level: from,
            to_level: to,
            occurred_at: window.window_end,
            direction,
            threshold: threshold !== undefined && Number.isFinite(threshold) ? threshold : null,
            value: rate,
            unit: kept.unit,
            interval_ms: kept.intervalMs,
            span_ms: spanMs,
            rate_rule: kept.config,
            window,
          };
        });

  const quiet = isQuietDirection(next.rising) && isQuietDirection(next.falling);
  const state: RateState =
    rule === undefined && quiet
      ? { ...initialRateState(), last_window_start_ms: startMs }
      : {
          schema_version: RATE_STATE_VERSION,
          rule: kept?.config ?? null,
          last_window_start_ms: startMs,
          buckets,
          rising: next.rising,
          falling: next.falling,
        };
  return { state, rate, spanMs, alerts, evaluated: true };
}

/**
 * True when an instrument's rate state can be dropped from a checkpoint without changing any
 * future result: nothing raised or pending, and no bucket within the rule's interval of `nowMs`
 * (the instrument's event time, or the partition's: any later window starts after it).
 */
export function canForgetRateState(state: RateState, nowMs: number): boolean {
  if (!isQuietDirection(state.rising) || !isQuietDirection(state.falling)) return false;
  const newest = state.buckets[state.buckets.length - 1];
  if (newest === undefined || state.rule === null) return true;
  const bucketMs = bucketMsOf(state.rule);
  return (newest[0] + RATE_BUCKETS) * bucketMs <= nowMs;
}
