import {
  INSTRUMENT_SPECS,
  INSTRUMENT_TYPES,
  maxTriggerLevel,
  triggerLevelRank,
  type InstrumentType,
  type TriggerLevel,
} from '@geostream/instrument-schemas';

/**
 * The overview's logic, pure: which instruments are stale and how each type stands. Time is an
 * argument (the app passes its clock), so tests state "now" exactly.
 */
export interface StalenessPolicy {
  /** Stale when silent for longer than this multiple of the instrument's usual interval... */
  readonly multiplier: number;
  /** ...or, when its history is too short to measure one, of this interval. */
  readonly fallbackIntervalMs: number;
  /**
   * ...and never before this much silence: a window reaches the database only after it closes
   * plus the grace period, so a fast instrument always looks a little behind.
   */
  readonly minSilenceMs: number;
}

export interface InstrumentActivity {
  readonly instrument: InstrumentType;
  readonly borehole_number: string;
  readonly trigger_level: TriggerLevel;
  /** The timestamp of its latest reading: silence is measured from it. */
  readonly last_reading_at: Date;
  readonly last_reading_mean: number;
  readonly unit: string;
  /** The median gap between its recent windows, or null with fewer than two. */
  readonly usual_interval_ms: number | null;
  /** The stream-processor's judgment of its clock (instrument_state): 'ok' unless off. */
  readonly clock_status: 'ok' | 'ahead' | 'behind';
  /** How far its clock is estimated to run ahead (+) or behind (-); null when unknown. */
  readonly clock_offset_ms: number | null;
}

export interface InstrumentStatus extends InstrumentActivity {
  readonly silent_ms: number;
  readonly stale_after_ms: number;
  readonly stale: boolean;
}

export interface TypeSummary {
  readonly type: InstrumentType;
  readonly unit: string;
  readonly instruments: number;
  readonly reporting: number;
  readonly stale: number;
  /** Instruments whose clock runs ahead or behind: their times need a look at the logger. */
  readonly clock_skewed: number;
  readonly worst_level: TriggerLevel;
  readonly levels: Readonly<Record<TriggerLevel, number>>;
}

export function staleAfterMs(usualIntervalMs: number | null, policy: StalenessPolicy): number {
  const interval =
    usualIntervalMs !== null && usualIntervalMs > 0 ? usualIntervalMs : policy.fallbackIntervalMs;
  return Math.max(policy.multiplier * interval, policy.minSilenceMs);
}

export function instrumentStatus(
  activity: InstrumentActivity,
  nowMs: number,
  policy: StalenessPolicy,
): InstrumentStatus {
  const silent = Math.max(0, nowMs - activity.last_reading_at.getTime());
  const staleAfter = staleAfterMs(activity.usual_interval_ms, policy);
  return { ...activity, silent_ms: silent, stale_after_ms: staleAfter, stale: silent > staleAfter };
}

/** Per type: instruments known, reporting (not stale), stale, the worst current level. */
export function summariseTypes(statuses: readonly InstrumentStatus[]): TypeSummary[] {
  return INSTRUMENT_TYPES.map((type) => {
    const ofType = statuses.filter((s) => s.instrument === type);
    const levels = { none: 0, alert: 0, alarm: 0, action: 0 };
    let worst: TriggerLevel = 'none';
    for (const status of ofType) {
      levels[status.trigger_level] += 1;
      worst = maxTriggerLevel(worst, status.trigger_level);
    }
    const stale = ofType.filter((s) => s.stale).length;
    return {
      type,
      unit: INSTRUMENT_SPECS[type].unit,
      instruments: ofType.length,
      reporting: ofType.length - stale,
      stale,
      clock_skewed: ofType.filter((s) => s.clock_status !== 'ok').length,
      worst_level: worst,
      levels,
    };
  });
}

/**
 * The instruments that need attention, worst first: highest trigger level, then stale before
 * reporting, then a clock off before a right one, then the longest silent. Instruments below
 * their levels, reporting, with a right clock are left out.
 */
export function worstFirst(
  statuses: readonly InstrumentStatus[],
  limit: number,
): InstrumentStatus[] {
  return statuses
    .filter((s) => s.trigger_level !== 'none' || s.stale || s.clock_status !== 'ok')
    .sort(
      (a, b) =>
        triggerLevelRank(b.trigger_level) - triggerLevelRank(a.trigger_level) ||
        Number(b.stale) - Number(a.stale) ||
        Number(b.clock_status !== 'ok') - Number(a.clock_status !== 'ok') ||
        b.silent_ms - a.silent_ms ||
        a.instrument.localeCompare(b.instrument) ||
        a.borehole_number.localeCompare(b.borehole_number),
    )
    .slice(0, limit);
}
