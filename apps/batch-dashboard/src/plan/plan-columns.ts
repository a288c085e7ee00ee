import type { PlanInstrument } from './plan-query';

/**
 * The plan page as columns (one array per field, index i = instrument i): about half the bytes
 * of an array of objects for 20,000 instruments, and what the page's canvas code keeps anyway.
 */
export type PlanColumns = { [K in keyof PlanInstrument]: Array<PlanInstrument[K]> };

export const PLAN_FIELDS = [
  'type',
  'id',
  'easting',
  'northing',
  'state',
  'trigger_level',
  'alarm_level',
  'no_data',
  'clock_status',
  'clock_offset_ms',
  'value',
  'last_reading_at',
  'last_window_start',
] as const satisfies ReadonlyArray<keyof PlanInstrument>;

export function toPlanColumns(instruments: readonly PlanInstrument[]): PlanColumns {
  const columns = Object.fromEntries(PLAN_FIELDS.map((field) => [field, [] as unknown[]]));
  for (const instrument of instruments) {
    for (const field of PLAN_FIELDS) (columns[field] as unknown[]).push(instrument[field]);
  }
  return columns as PlanColumns;
}
