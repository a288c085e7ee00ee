import Ajv from 'ajv';
import addFormats from 'ajv-formats';
import {
  AlarmEventSchema,
  INSTRUMENT_SPECS,
  windowId,
  type InstrumentType,
  type WindowRecord,
} from '@geostream/instrument-schemas';

export const HOUR_MS = 3_600_000;
export const DAY_MS = 24 * HOUR_MS;
/** Midnight, 1 January 2024: timelines count from here. */
export const T0 = Date.UTC(2024, 0, 1);

const iso = (ms: number) => new Date(ms).toISOString();

/** A closed 10 s window of one instrument starting `atMs` after T0, with this mean. */
export function windowAt(
  atMs: number,
  mean: number,
  options: { instrument?: InstrumentType; borehole?: string; count?: number; sizeMs?: number } = {},
): WindowRecord {
  const instrument = options.instrument ?? 'settlement_marker';
  const borehole = options.borehole ?? 'SM-1';
  const start = T0 + atMs;
  const end = start + (options.sizeMs ?? 10_000);
  return {
    schema_version: 1,
    id: windowId(instrument, borehole, start),
    instrument,
    borehole_number: borehole,
    window_start: iso(start),
    window_end: iso(end),
    reading_mean: mean,
    reading_min: mean,
    reading_max: mean,
    reading_count: options.count ?? 1,
    first_timestamp: iso(start),
    last_timestamp: iso(start),
    unit: INSTRUMENT_SPECS[instrument].unit,
    surface_level: 80,
    northing: 5815854,
    easting: 323112,
    trigger_level: 'none',
  };
}

const ajv = new Ajv({ allErrors: true, strict: true });
addFormats(ajv);
/** The alarm event JSON Schema, compiled strictly: every event the lib emits must pass it. */
export const isAlarmEvent = ajv.compile(AlarmEventSchema);
