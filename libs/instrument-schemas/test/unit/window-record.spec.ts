import fc from 'fast-check';
import {
  WindowRecordSchema,
  validateWindowRecord,
  windowId,
  windowIdAt,
  instrumentKey,
  type WindowRecord,
} from '../../src';
import { compile } from '../ajv';

const windowRecordSchema = compile(WindowRecordSchema);
const record: WindowRecord = {
  schema_version: 1,
  id: windowId('water_standpipe', 'BH-4493', Date.parse('2022-05-02T08:02:20Z')),
  instrument: 'water_standpipe',
  borehole_number: 'BH-4493',
  window_start: '2022-05-02T08:02:20.000Z',
  window_end: '2022-05-02T08:02:30.000Z',
  reading_mean: 75.1,
  reading_min: 75.07,
  reading_max: 75.13,
  reading_count: 2,
  first_timestamp: '2022-05-02T08:02:20.073Z',
  last_timestamp: '2022-05-02T08:02:29.500Z',
  unit: 'm',
  surface_level: 79.45,
  northing: 5815854,
  easting: 323112,
  trigger_level: 'none',
};

describe('identity', () => {
  it('keys an instrument as instrument:borehole_number and a window by its start', () => {
    expect(instrumentKey('water_standpipe', 'BH-4493')).toBe('water_standpipe:BH-4493');
    expect(record.id).toBe('water_standpipe:BH-4493:2022-05-02T08:02:20.000Z');
    expect(windowIdAt('water_standpipe', 'BH-4493', '2022-05-02T08:02:20.000Z')).toBe(record.id);
  });
});

describe('validateWindowRecord', () => {
  it('accepts a window record, as the JSON Schema does', () => {
    expect(validateWindowRecord(record)).toEqual({ ok: true, value: record });
    expect(windowRecordSchema(record)).toBe(true);
  });

  it.each([
    ['schema_version', 2, 'unsupported_version'],
    ['reading_count', 0, 'invalid_value'],
    ['reading_count', 1.5, 'invalid_value'],
    ['reading_mean', '75.1', 'wrong_type'],
    ['window_start', '2022-05-02T08:02:20Z', 'invalid_timestamp'],
    ['window_end', '2022-05-02T08:02:30.000', 'timestamp_without_zone'],
    ['trigger_level', 'red', 'invalid_value'],
    ['instrument', 'tiltmeter', 'unknown_instrument'],
    ['unit', undefined, 'missing_field'],
    ['unit', ' ', 'empty_string'],
    ['id', '\t', 'empty_string'],
  ])('rejects %s = %p with %s, as the JSON Schema does', (field, value, code) => {
    const bad = { ...record, [field]: value };
    const result = validateWindowRecord(bad);
    expect(result.ok ? [] : result.problems.map((p) => [p.path, p.code])).toEqual([[field, code]]);
    expect(windowRecordSchema(bad)).toBe(false);
  });

  it('agrees with the JSON Schema on random field values', () => {
    const fields = Object.keys(record);
    fc.assert(
      fc.property(
        fc.constantFrom(...fields),
        fc.oneof(fc.anything(), fc.double(), fc.string()),
        (field, value) => {
          const changed = { ...record, [field]: value };
          expect(windowRecordSchema(changed)).toBe(validateWindowRecord(changed).ok);
        },
      ),
      { numRuns: 500 },
    );
  });
});
