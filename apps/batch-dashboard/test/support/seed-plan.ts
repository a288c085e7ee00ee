import type { Knex } from 'knex';
import {
  worstCurrentState,
  type CurrentState,
  type CurrentStateInputs,
} from '../../src/plan/current-state';

/**
 * Seeds a site for the plan with set-based SQL (instrument_state and a few windows each, in
 * tables made by the sinks' migrations). Deterministic: instrument i's every fact is a function
 * of i, so tests compute what the plan must show.
 *
 * Instrument i: type TYPES[i % 5], id '<PREFIX>-P<i, 5 digits>' (PZ-P00001), at easting
 * 316045 + (i % 200) * 40 and northing 5810000 + floor(i / 200) * 40 (a 200-wide grid, 40 m
 * apart), WINDOWS windows 60 s apart ending at endAt, except when i % 50 = 3 (silent for a day:
 * no data). Level: action when i % 97 = 0, alarm when i % 41 = 0, alert when i % 23 = 0, else
 * none. Clock: ahead by 1 h when i % 61 = 5, behind by 2 h when i % 67 = 6, else ok.
 */
export interface PlanSeed {
  readonly instruments: number;
  readonly endAt: Date;
}

export const PLAN_WINDOWS = 10;
export const PLAN_TYPES = [
  ['water_standpipe', 'WS'],
  ['piezometer', 'PZ'],
  ['settlement_marker', 'SM'],
  ['extensometer', 'EX'],
  ['strain_gauge', 'SG'],
] as const;

export interface SeededInstrument {
  readonly type: (typeof PLAN_TYPES)[number][0];
  readonly id: string;
  readonly easting: number;
  readonly northing: number;
  readonly inputs: CurrentStateInputs;
  readonly state: CurrentState;
}

export function seededInstrument(i: number): SeededInstrument {
  const [type, prefix] = PLAN_TYPES[i % 5] as (typeof PLAN_TYPES)[number];
  const inputs: CurrentStateInputs = {
    trigger_level:
      i % 97 === 0 ? 'action' : i % 41 === 0 ? 'alarm' : i % 23 === 0 ? 'alert' : 'none',
    // Alarms live in the app schema: a test that seeds them states its own inputs.
    alarm_level: 'none',
    no_data: i % 50 === 3,
    clock_status: i % 61 === 5 ? 'ahead' : i % 67 === 6 ? 'behind' : 'ok',
  };
  return {
    type,
    id: `${prefix}-P${String(i).padStart(5, '0')}`,
    easting: 316_045 + (i % 200) * 40,
    northing: 5_810_000 + Math.floor(i / 200) * 40,
    inputs,
    state: worstCurrentState(inputs),
  };
}

export async function seedPlan(knex: Knex, seed: PlanSeed): Promise<void> {
  await knex.transaction(async (db) => {
    await db.raw('SET LOCAL statement_timeout = 0');
    await db.raw('SET LOCAL synchronous_commit = off');
    await db.raw(
      `
      WITH types(t, instrument, prefix, unit) AS (
        VALUES (0, 'water_standpipe', 'WS', 'm'), (1, 'piezometer', 'PZ', 'kPa'),
               (2, 'settlement_marker', 'SM', 'mm'), (3, 'extensometer', 'EX', 'mm'),
               (4, 'strain_gauge', 'SG', 'µε')
      ),
      instruments AS (
        SELECT i, ty.instrument, ty.unit, ty.prefix || '-P' || lpad(i::text, 5, '0') AS borehole_number,
               316045 + (i % 200) * 40 AS easting, 5810000 + (i / 200) * 40 AS northing,
               CASE WHEN i % 97 = 0 THEN 'action' WHEN i % 41 = 0 THEN 'alarm'
                    WHEN i % 23 = 0 THEN 'alert' ELSE 'none' END AS level,
               date_trunc('second', CAST(? AS timestamptz))
                 - CASE WHEN i % 50 = 3 THEN interval '1 day' ELSE interval '0' END AS end_at
          FROM generate_series(0, ? - 1) AS i JOIN types ty ON ty.t = i % 5
      )
      INSERT INTO reading_window (
        id, instrument, borehole_number, window_start, window_end, reading_mean, reading_min,
        reading_max, reading_count, first_timestamp, last_timestamp, unit, surface_level,
        northing, easting, trigger_level, schema_version)
      SELECT instrument || ':' || borehole_number || ':' ||
               to_char((end_at - (? - 1 - k) * interval '60 seconds') AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"'),
             instrument, borehole_number, end_at - (? - 1 - k) * interval '60 seconds',
             end_at - (? - 1 - k) * interval '60 seconds' + interval '10 seconds',
             i % 100 + k, i % 100 + k - 0.5, i % 100 + k + 0.5, 2,
             end_at - (? - 1 - k) * interval '60 seconds' + interval '1 second',
             end_at - (? - 1 - k) * interval '60 seconds' + interval '9 seconds',
             unit, 80, northing, easting, CASE WHEN k = ? - 1 THEN level ELSE 'none' END, 1
        FROM instruments CROSS JOIN generate_series(0, ? - 1) AS k
      `,
      [
        seed.endAt.toISOString(),
        seed.instruments,
        ...Array.from({ length: 5 }, () => PLAN_WINDOWS),
        PLAN_WINDOWS,
        PLAN_WINDOWS,
      ],
    );
    await db.raw(`
      INSERT INTO instrument_state (
        instrument, borehole_number, last_window_id, last_window_start, last_window_end,
        last_reading_mean, last_reading_min, last_reading_max, last_reading_count, last_reading_at,
        unit, surface_level, northing, easting, trigger_level, clock_status, clock_offset_ms)
      SELECT DISTINCT ON (instrument, borehole_number)
             instrument, borehole_number, id, window_start, window_end, reading_mean, reading_min,
             reading_max, reading_count, last_timestamp, unit, surface_level, northing, easting,
             trigger_level,
             CASE WHEN substr(borehole_number, 5)::int % 61 = 5 THEN 'ahead'
                  WHEN substr(borehole_number, 5)::int % 67 = 6 THEN 'behind' ELSE 'ok' END,
             CASE WHEN substr(borehole_number, 5)::int % 61 = 5 THEN 3600000
                  WHEN substr(borehole_number, 5)::int % 67 = 6 THEN -7200000 END
        FROM reading_window
       WHERE borehole_number LIKE '__-P%'
       ORDER BY instrument, borehole_number, window_start DESC
    `);
  });
  await knex.raw('ANALYZE reading_window');
  await knex.raw('ANALYZE instrument_state');
}
