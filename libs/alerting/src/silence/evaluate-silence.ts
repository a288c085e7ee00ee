import {
  ALERT_SCHEMA_VERSION,
  noDataAlarmId,
  type InstrumentType,
  type NoDataAlarmEvent,
  type SilenceRule,
} from '@geostream/instrument-schemas';
import type { PipelineClock } from './pipeline-clock';
import {
  LEARNT_GAPS,
  SILENCE_STATE_VERSION,
  expectedInterval,
  silentAt,
  type RaisedSilence,
  type SilenceState,
} from './silence-state';

/** The instrument a silence state belongs to (the state does not repeat it). */
export interface InstrumentRef {
  readonly instrument: InstrumentType;
  readonly borehole_number: string;
}

export interface SilenceStep {
  /** The instrument's state after this step: store it. */
  readonly state: SilenceState;
  /** The no_data raise or clear this step caused, if any. */
  readonly alerts: NoDataAlarmEvent[];
  /** silentAt of the new state (undefined: raised, or no rule): reschedule its timer to it. */
  readonly silentAtMs: number | undefined;
}

const iso = (ms: number) => new Date(ms).toISOString();

function timesOf(clock: PipelineClock): { running: number; log: number } {
  if (clock.running_ms === null || clock.log_time_ms === null)
    throw new RangeError('advance the pipeline clock to the record before judging silence');
  return { running: clock.running_ms, log: clock.log_time_ms };
}

function noDataEvent(
  ref: InstrumentRef,
  state: SilenceState,
  raised: RaisedSilence,
  kind: 'raise' | 'clear',
  occurredAtMs: number,
): NoDataAlarmEvent {
  const silentSince = iso(state.last_delivery_log_ms);
  const toLevel = kind === 'raise' ? raised.level : 'none';
  return {
    schema_version: ALERT_SCHEMA_VERSION,
    condition: 'no_data',
    id: noDataAlarmId(ref.instrument, ref.borehole_number, silentSince, kind, toLevel),
    kind,
    instrument: ref.instrument,
    borehole_number: ref.borehole_number,
    from_level: kind === 'raise' ? 'none' : raised.level,
    to_level: toLevel,
    occurred_at: iso(occurredAtMs),
    silent_since: silentSince,
    expected_interval_ms: raised.expected_interval_ms,
    interval_source: raised.interval_source,
    multiplier: raised.multiplier,
  };
}

function step(state: SilenceState, rule: SilenceRule | undefined, alerts: NoDataAlarmEvent[]) {
  return { state, alerts, silentAtMs: rule === undefined ? undefined : silentAt(state, rule) };
}

/** The last LEARNT_GAPS gaps after `gap` joins them (one new array, asked at every burst). */
function appendGap(gaps: readonly number[], gap: number): number[] {
  const kept = Math.min(gaps.length, LEARNT_GAPS - 1);
  const next = new Array<number>(kept + 1);
  for (let i = 0; i < kept; i++) next[i] = gaps[gaps.length - kept + i] as number;
  next[kept] = gap;
  return next;
}

/**
 * Records that an instrument delivered a new reading at the clock's time (call it after
 * advancing the clock to the record carrying it). Count only readings that are new: a reading
 * counted in a window, not a duplicate (an API re-serving the last reading of a dead sensor must
 * not keep it alive) and not a late backfill. Clears a raised no_data alarm, and learns the gap
 * since the last burst of deliveries when the rule learns.
 */
export function recordDelivery(
  previous: SilenceState | undefined,
  clock: PipelineClock,
  rule: SilenceRule | undefined,
  ref: InstrumentRef,
): SilenceStep {
  const { running, log } = timesOf(clock);
  if (previous === undefined) {
    const state: SilenceState = {
      schema_version: SILENCE_STATE_VERSION,
      last_delivery_ms: running,
      last_delivery_log_ms: log,
      burst_start_ms: running,
      gaps_ms: [],
      raised: null,
    };
    return step(state, rule, []);
  }
  const alerts =
    previous.raised === null ? [] : [noDataEvent(ref, previous, previous.raised, 'clear', log)];
  let gaps = previous.gaps_ms;
  let burstStart = previous.burst_start_ms;
  const gap = running - burstStart;
  if (rule?.expected.kind === 'learnt' && gap >= rule.expected.floorMs) {
    gaps = appendGap(gaps, gap);
    burstStart = running;
  } else if (rule?.expected.kind !== 'learnt') {
    burstStart = running;
  }
  const state: SilenceState = {
    schema_version: SILENCE_STATE_VERSION,
    last_delivery_ms: Math.max(running, previous.last_delivery_ms),
    last_delivery_log_ms: Math.max(log, previous.last_delivery_log_ms),
    burst_start_ms: burstStart,
    gaps_ms: gaps,
    raised: null,
  };
  return step(state, rule, alerts);
}

/**
 * Decides whether a silent instrument's no_data alarm is raised at the clock's time: when its
 * running time has reached silentAt. Safe to call at any time (a stale timer does nothing). With
 * no rule (silence turned 'off') a raised alarm clears.
 */
export function checkSilence(
  state: SilenceState,
  clock: PipelineClock,
  rule: SilenceRule | undefined,
  ref: InstrumentRef,
): SilenceStep {
  const { running, log } = timesOf(clock);
  if (rule === undefined) {
    if (state.raised === null) return step(state, rule, []);
    const cleared = { ...state, raised: null };
    return step(cleared, rule, [noDataEvent(ref, state, state.raised, 'clear', log)]);
  }
  const due = silentAt(state, rule);
  if (due === undefined || running < due) return step(state, rule, []);
  const expected = expectedInterval(state, rule);
  const raised: RaisedSilence = {
    level: rule.level,
    expected_interval_ms: expected.ms,
    interval_source: expected.source,
    multiplier: rule.multiplier,
  };
  const next: SilenceState = { ...state, raised };
  return step(next, rule, [noDataEvent(ref, state, raised, 'raise', log)]);
}
