import type { Knex } from 'knex';
import { POSTGRES_TABLES } from '@geostream/sinks';
import type { InstrumentActivity } from './staleness';

/** Windows looked at to measure an instrument's usual interval (their gaps' median). */
const RECENT_WINDOWS = 9;

/**
 * Every instrument's current state with its usual interval: the median gap between its last
 * RECENT_WINDOWS window starts, each read with one primary-key probe (a LATERAL top-N per
 * instrument, never a scan of the history).
 */
export async function queryActivity(db: Knex): Promise<InstrumentActivity[]> {
  const result = (await db.raw(
    `SELECT s.instrument, s.borehole_number, s.trigger_level, s.last_reading_at,
            s.last_reading_mean, s.unit, gaps.usual_interval_ms
       FROM ?? s
       LEFT JOIN LATERAL (
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
    [POSTGRES_TABLES.instrumentState, POSTGRES_TABLES.readingWindow, RECENT_WINDOWS],
  )) as {
    rows: Array<
      Omit<InstrumentActivity, 'usual_interval_ms'> & { usual_interval_ms: number | string | null }
    >;
  };
  return result.rows.map((row) => ({
    ...row,
    usual_interval_ms: row.usual_interval_ms === null ? null : Number(row.usual_interval_ms),
  }));
}
