import type { Knex } from 'knex';
import { POSTGRES_TABLES } from '@geostream/sinks/names';
import type { InstrumentActivity } from './staleness';

/** Windows looked at to measure an instrument's usual interval (their gaps' median). */
const RECENT_WINDOWS = 9;

/**
 * `usual_interval_ms` of the instrument_state row aliased `s`: the median gap between its last
 * RECENT_WINDOWS window starts, read with one primary-key probe (a LATERAL top-N per
 * instrument, never a scan of the history). Shared by every query that judges staleness (the
 * overview, the plan), so they measure it the same way.
 */
export function usualIntervalJoin(): { readonly sql: string; readonly bindings: [string, number] } {
  return {
    sql: `LEFT JOIN LATERAL (
         SELECT percentile_cont(0.5) WITHIN GROUP (ORDER BY gap_ms) AS usual_interval_ms
           FROM (
             SELECT extract(epoch FROM (window_start - lag(window_start) OVER (ORDER BY window_start))) * 1000 AS gap_ms
               FROM (
                 SELECT w.window_start
                   FROM ?? w
                  WHERE w.instrument = s.instrument AND w.borehole_number = s.borehole_number
                  ORDER BY w.window_start DESC
                  LIMIT ?
               ) recent
           ) gaps
          WHERE gap_ms IS NOT NULL
       ) gaps ON true`,
    bindings: [POSTGRES_TABLES.readingWindow, RECENT_WINDOWS],
  };
}

/** percentile_cont returns double precision; pg may hand it over as text. */
export function usualIntervalOf(value: number | string | null): number | null {
  return value === null ? null : Number(value);
}

/** Every instrument's current state with its usual interval (see usualIntervalJoin). */
export async function queryActivity(db: Knex): Promise<InstrumentActivity[]> {
  const usualInterval = usualIntervalJoin();
  const result = (await db.raw(
    `SELECT s.instrument, s.borehole_number, s.trigger_level, s.last_reading_at,
            s.last_reading_mean, s.unit, gaps.usual_interval_ms, s.clock_status,
            s.clock_offset_ms::float8 AS clock_offset_ms
       FROM ?? s
       ${usualInterval.sql}`,
    [POSTGRES_TABLES.instrumentState, ...usualInterval.bindings],
  )) as {
    rows: Array<
      Omit<InstrumentActivity, 'usual_interval_ms'> & { usual_interval_ms: number | string | null }
    >;
  };
  return result.rows.map((row) => ({
    ...row,
    usual_interval_ms: usualIntervalOf(row.usual_interval_ms),
  }));
}
