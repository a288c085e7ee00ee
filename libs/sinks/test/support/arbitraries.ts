import fc from 'fast-check';
import {
  INSTRUMENT_SPECS,
  INSTRUMENT_TYPES,
  TRIGGER_LEVELS,
  WINDOW_RECORD_SCHEMA_VERSION,
  windowId,
  type WindowRecord,
} from '@geostream/instrument-schemas';

const iso = (ms: number) => new Date(ms).toISOString();
const finite = fc.double({ noNaN: true, noDefaultInfinity: true, min: -1e6, max: 1e6 });

/** Valid window records: any type, borehole, window and values. */
export const windowRecordArbitrary: fc.Arbitrary<WindowRecord> = fc
  .record({
    instrument: fc.constantFrom(...INSTRUMENT_TYPES),
    borehole: fc
      .string({ minLength: 1, maxLength: 12 })
      .filter((s) => /\S/.test(s) && !s.includes('\u0000')),
    startMs: fc.integer({ min: Date.UTC(2000, 0, 1), max: Date.UTC(2090, 0, 1) }),
    sizeMs: fc.integer({ min: 1, max: 3_600_000 }),
    values: fc.tuple(finite, finite, finite).map((v) => v.sort((a, b) => a - b)),
    count: fc.integer({ min: 1, max: 10_000 }),
    place: fc.tuple(finite, finite, finite),
    level: fc.constantFrom(...TRIGGER_LEVELS),
  })
  .map(({ instrument, borehole, startMs, sizeMs, values, count, place, level }) => ({
    schema_version: WINDOW_RECORD_SCHEMA_VERSION,
    id: windowId(instrument, borehole, startMs),
    instrument,
    borehole_number: borehole,
    window_start: iso(startMs),
    window_end: iso(startMs + sizeMs),
    reading_min: values[0],
    reading_mean: values[1],
    reading_max: values[2],
    reading_count: count,
    first_timestamp: iso(startMs),
    last_timestamp: iso(startMs + sizeMs - 1),
    unit: INSTRUMENT_SPECS[instrument].unit,
    surface_level: place[0],
    northing: place[1],
    easting: place[2],
    trigger_level: level,
  }));
