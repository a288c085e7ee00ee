import type { Knex } from 'knex';

/**
 * Seeds a big history with set-based SQL (one INSERT ... SELECT per table from
 * generate_series), into tables created by the sinks' own migrations. Deterministic: every
 * value is a function of (instrument index, window index), so tests can compute expectations.
 *
 * Instrument i of type t is '<PREFIX>-<i, 4 digits>' (PZ-0007); its cadence is
 * 60 s x (1 + i % 3); its windows end at `endAt` except every instrument with i % 100 = 7,
 * which fell silent one day earlier (stale). Levels: window k of instrument i is at 'action'
 * when (i + k) % 997 = 0, 'alarm' when % 331 = 0, 'alert' when % 101 = 0, else 'none'; each
 * window at a level has a 'raise' alert.
 */
export interface HistorySeed {
  readonly instrumentsPerType: number;
  readonly windowsPerInstrument: number;
  readonly endAt: Date;
}

export const SILENT_DAY_MS = 86_400_000;

export function cadenceMs(i: number): number {
  return 60_000 * (1 + (i % 3));
}

export function isSilent(i: number): boolean {
  return i % 100 === 7;
}

/** window_start of window k (0 = oldest) of instrument i. */
export function windowStartMs(seed: HistorySeed, i: number, k: number): number {
  const end = seed.endAt.getTime() - (isSilent(i) ? SILENT_DAY_MS : 0);
  const aligned = end - (end % 10_000);
  return aligned - (seed.windowsPerInstrument - 1 - k) * cadenceMs(i);
}

export async function seedHistory(knex: Knex, seed: HistorySeed): Promise<void> {
  await knex.transaction((db) => seedInTransaction(db, seed));
  await knex.raw('ANALYZE reading_window');
  await knex.raw('ANALYZE instrument_state');
  await knex.raw('ANALYZE alert_event');
}

async function seedInTransaction(db: Knex.Transaction, seed: HistorySeed): Promise<void> {
  // A million rows take longer than the app's statement timeout; nothing else waits on this.
  await db.raw('SET LOCAL statement_timeout = 0');
  await db.raw('SET LOCAL synchronous_commit = off');
  await db.raw(
    `
    WITH types(instrument, prefix, unit, base, amp) AS (
      VALUES ('water_standpipe', 'WS', 'm', 75.0, 2.0),
             ('piezometer', 'PZ', 'kPa', 120.0, 60.0),
             ('settlement_marker', 'SM', 'mm', -12.0, 10.0),
             ('extensometer', 'EX', 'mm', 12.0, 8.0),
             ('strain_gauge', 'SG', 'µε', 0.0, 400.0)
    ),
    instruments AS (
      SELECT t.*, i, t.prefix || '-' || lpad(i::text, 4, '0') AS borehole_number,
             60000 * (1 + i % 3) AS cadence_ms,
             (extract(epoch FROM CAST(? AS timestamptz)) * 1000)::bigint
               - CASE WHEN i % 100 = 7 THEN 86400000 ELSE 0 END AS end_ms
        FROM types t CROSS JOIN generate_series(0, ? - 1) AS i
    ),
    windows AS (
      SELECT s.*, k,
             to_timestamp(((s.end_ms - s.end_ms % 10000) - (? - 1 - k) * s.cadence_ms) / 1000.0) AS ws,
             s.base + s.amp * sin(k / 40.0 + s.i) AS mean,
             CASE WHEN (s.i + k) % 997 = 0 THEN 'action'
                  WHEN (s.i + k) % 331 = 0 THEN 'alarm'
                  WHEN (s.i + k) % 101 = 0 THEN 'alert'
                  ELSE 'none' END AS level
        FROM instruments s CROSS JOIN generate_series(0, ? - 1) AS k
    )
    INSERT INTO reading_window (
      id, instrument, borehole_number, window_start, window_end, reading_mean, reading_min,
      reading_max, reading_count, first_timestamp, last_timestamp, unit, surface_level,
      northing, easting, trigger_level, schema_version)
    SELECT instrument || ':' || borehole_number || ':' ||
             to_char(ws AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"'),
           instrument, borehole_number, ws, ws + interval '10 seconds',
           mean, mean - 0.5, mean + 0.5, 1 + (i + k) % 4,
           ws + interval '1 second', ws + interval '9 seconds', unit, 80.0 + i % 7,
           5810000 + i * 3, 316045 + i * 5, level, 1
      FROM windows
    `,
    [
      seed.endAt.toISOString(),
      seed.instrumentsPerType,
      seed.windowsPerInstrument,
      seed.windowsPerInstrument,
    ],
  );
  await db.raw(`
    INSERT INTO instrument_state (
      instrument, borehole_number, last_window_id, last_window_start, last_window_end,
      last_reading_mean, last_reading_min, last_reading_max, last_reading_count, last_reading_at,
      unit, surface_level, northing, easting, trigger_level)
    SELECT DISTINCT ON (instrument, borehole_number)
           instrument, borehole_number, id, window_start, window_end, reading_mean, reading_min,
           reading_max, reading_count, last_timestamp, unit, surface_level, northing, easting,
           trigger_level
      FROM reading_window
     ORDER BY instrument, borehole_number, window_start DESC
  `);
  await db.raw(`
    INSERT INTO alert_event (
      id, instrument, borehole_number, kind, direction, from_level, to_level, window_id,
      window_start, window_end, value, threshold, unit, occurred_at, schema_version, payload)
    SELECT id || ':rising:raise:' || trigger_level, instrument, borehole_number, 'raise', 'rising',
           'none', trigger_level, id, window_start, window_end, reading_mean, reading_mean - 1,
           unit, window_end, 1, jsonb_build_object('window_id', id)
      FROM reading_window
     WHERE trigger_level <> 'none'
  `);
}
