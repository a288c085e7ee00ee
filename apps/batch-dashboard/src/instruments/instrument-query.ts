import type { Knex } from 'knex';
import type { InstrumentType, TriggerLevel } from '@geostream/instrument-schemas';
import { POSTGRES_TABLES, type InstrumentStateColumn } from '@geostream/sinks/names';

/** One instrument's current state, from instrument_state (one row per instrument). */
export interface InstrumentStateRow {
  readonly instrument: InstrumentType;
  readonly borehole_number: string;
  readonly unit: string;
  readonly surface_level: number;
  readonly northing: number;
  readonly easting: number;
  readonly trigger_level: TriggerLevel;
  readonly last_window_id: string;
  readonly last_window_start: Date;
  readonly last_window_end: Date;
  readonly last_reading_mean: number;
  readonly last_reading_min: number;
  readonly last_reading_max: number;
  readonly last_reading_count: number;
}

/** What the drill-down and the picker show: a selection of instrument_state's columns. */
export const STATE_COLUMNS = [
  'instrument',
  'borehole_number',
  'unit',
  'surface_level',
  'northing',
  'easting',
  'trigger_level',
  'last_window_id',
  'last_window_start',
  'last_window_end',
  'last_reading_mean',
  'last_reading_min',
  'last_reading_max',
  'last_reading_count',
] as const satisfies ReadonlyArray<InstrumentStateColumn>;

export async function findInstrument(
  db: Knex,
  type: InstrumentType,
  borehole: string,
): Promise<InstrumentStateRow | undefined> {
  return (await db(POSTGRES_TABLES.instrumentState)
    .select(STATE_COLUMNS)
    .where({ instrument: type, borehole_number: borehole })
    .first()) as InstrumentStateRow | undefined;
}

export interface InstrumentSearch {
  readonly q?: string;
  readonly type?: InstrumentType;
  readonly limit: number;
}

/**
 * Instruments whose id contains the text (case-insensitive), for the drill-down picker. It reads
 * instrument_state, one row per instrument (thousands, not millions), so a substring match is
 * cheap; LIKE wildcards in the text are escaped so they match literally.
 */
export async function searchInstruments(
  db: Knex,
  search: InstrumentSearch,
): Promise<InstrumentStateRow[]> {
  const query = db(POSTGRES_TABLES.instrumentState).select(STATE_COLUMNS);
  if (search.type !== undefined) query.where('instrument', search.type);
  if (search.q !== undefined && search.q !== '') {
    query.whereRaw(`?? ILIKE ? ESCAPE '\\'`, ['borehole_number', `%${escapeLike(search.q)}%`]);
  }
  return (await query
    .orderBy([
      { column: 'instrument', order: 'asc' },
      { column: 'borehole_number', order: 'asc' },
    ])
    .limit(search.limit)) as InstrumentStateRow[];
}

export function escapeLike(text: string): string {
  return text.replace(/[\\%_]/g, (c) => `\\${c}`);
}
