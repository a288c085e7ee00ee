import fc from 'fast-check';
import {
  AlarmEventSchema,
  AlertSchema,
  BatchEnvelopeSchema,
  ReadingSchema,
  SiteConfigSchema,
  jsonSchemas,
  parseSiteConfig,
  validateEnvelope,
  validateReading,
  windowId,
  type WindowRecord,
} from '../../src';
import { exampleReadingMessage, readingMessageArbitrary } from '../../src/testing';
import siteConfigExample from '../../site-config.example.json';
import { compile } from '../ajv';
import { corruptionArbitrary, schemaCanDetect } from '../corruptions';

// The exported JSON Schemas and the hand-written validators must accept and reject the same
// values, except for the rules JSON Schema cannot state (listed in the README).

const readingSchema = compile(ReadingSchema);
const envelopeSchema = compile(BatchEnvelopeSchema);
const siteConfigSchema = compile(SiteConfigSchema);

describe('JSON Schemas', () => {
  it.each(Object.entries(jsonSchemas))('%s compiles under Ajv strict mode', (_name, schema) => {
    expect(() => compile(schema)).not.toThrow();
  });

  it('are plain JSON (no TypeBox-only parts survive serialisation changes)', () => {
    for (const schema of Object.values(jsonSchemas)) {
      expect(compile(JSON.parse(JSON.stringify(schema)))).toBeDefined();
    }
  });
});

describe('Reading: JSON Schema and validateReading agree', () => {
  it('on the reference example', () => {
    expect(readingSchema(exampleReadingMessage())).toBe(true);
    expect(validateReading(exampleReadingMessage()).ok).toBe(true);
  });

  it('on every generated valid reading', () => {
    fc.assert(
      fc.property(readingMessageArbitrary(), ({ message }) => {
        expect(readingSchema(message)).toBe(true);
      }),
      { numRuns: 300 },
    );
  });

  it('on every single-field corruption (the schema rejects what the validator rejects)', () => {
    fc.assert(
      fc.property(readingMessageArbitrary(), corruptionArbitrary, ({ message }, corruption) => {
        const corrupted = corruption.apply(message);
        expect(validateReading(corrupted).ok).toBe(false);
        expect(readingSchema(corrupted)).toBe(!schemaCanDetect(corruption, message));
      }),
      { numRuns: 1000 },
    );
  });

  it('on timestamps mutated one character at a time', () => {
    const alphabet = fc.constantFrom(...'0123456789-:.TtZz+ xX'.split(''));
    fc.assert(
      fc.property(
        readingMessageArbitrary(),
        fc.nat(),
        alphabet,
        fc.constantFrom('replace', 'insert', 'delete'),
        ({ message }, at, char, edit) => {
          const t = message.timestamp;
          const i = at % (t.length + 1);
          const timestamp =
            edit === 'replace'
              ? t.slice(0, i) + char + t.slice(i + 1)
              : edit === 'insert'
                ? t.slice(0, i) + char + t.slice(i)
                : t.slice(0, i) + t.slice(i + 1);
          const value = { ...message, timestamp };
          expect(readingSchema(value)).toBe(validateReading(value).ok);
        },
      ),
      { numRuns: 3000 },
    );
  });

  it('on random field values', () => {
    const anyValue = fc.oneof(
      fc.anything(),
      fc.double(),
      fc.string(),
      fc.constantFrom('water_standpipe', 'piezometer', 75.07, 0, -1, 1e300),
    );
    fc.assert(
      fc.property(
        readingMessageArbitrary(),
        fc.constantFrom(
          'borehole_number',
          'instrument',
          'surface_level',
          'northing',
          'easting',
          'reading',
          'version',
        ),
        anyValue,
        ({ message }, field, value) => {
          const changed = { ...message, [field]: value };
          const validator = validateReading(changed);
          // The standpipe's range is relative to surface_level: the validator's alone.
          const standpipeRangeOnly =
            !validator.ok &&
            changed.instrument === 'water_standpipe' &&
            validator.problems.every(
              (p) => p.code === 'out_of_physical_range' && p.path === 'reading',
            );
          expect(readingSchema(changed)).toBe(validator.ok || standpipeRangeOnly);
        },
      ),
      { numRuns: 1000 },
    );
  });
});

describe('BatchEnvelope: JSON Schema and validateEnvelope agree', () => {
  const envelopeOf = (items: unknown[], header: Record<string, unknown> = {}) => ({
    instruments: items.length,
    units: 'pore pressure (kPa)',
    timezone: 'UTC',
    items,
    ...header,
  });

  it('accept an envelope of valid readings, and reject it when any item is bad', () => {
    fc.assert(
      fc.property(
        fc.array(readingMessageArbitrary({ instrument: 'piezometer' }), { maxLength: 8 }),
        fc.option(fc.tuple(fc.nat(), corruptionArbitrary), { nil: undefined }),
        (generated, damage) => {
          const items: unknown[] = generated.map((g) => g.message);
          if (damage && items.length > 0) {
            const i = damage[0] % items.length;
            const target = generated[i];
            if (target) items[i] = damage[1].apply(target.message);
          }
          const envelope = envelopeOf(items);
          const result = validateEnvelope(envelope);
          expect(envelopeSchema(envelope)).toBe(result.problems.length === 0);
          expect(result.readings.length + result.problems.length).toBe(items.length);
        },
      ),
      { numRuns: 300 },
    );
  });

  it.each([
    ['missing units', { units: undefined }],
    ['blank timezone', { timezone: ' ' }],
    ['negative count', { instruments: -1 }],
    ['fractional count', { instruments: 1.5 }],
    ['items not an array', { items: {} }],
    ['version 2', { version: 2 }],
  ])('reject an envelope with %s', (_name, header) => {
    const envelope = JSON.parse(JSON.stringify(envelopeOf([exampleReadingMessage()], header)));
    expect(envelopeSchema(envelope)).toBe(false);
    expect(validateEnvelope(envelope).readings).toEqual([]);
  });
});

describe('SiteConfig: JSON Schema and parseSiteConfig agree', () => {
  const levels = { rising: { alert: 1, alarm: 2, action: 3 } };
  const entry = { instrument: 'piezometer', borehole_number: 'P-1', trigger_levels: levels };
  const rate = { direction: 'rising', over: '6h', unit: 'kPa/h', alarm: 10 };
  const silence = { expected_interval: '15min', multiplier: 3 };

  it('on the example file', () => {
    expect(siteConfigSchema(siteConfigExample)).toBe(true);
    expect(parseSiteConfig(siteConfigExample).ok).toBe(true);
  });

  it.each([
    ['the smallest config', { version: 1 }, true],
    [
      'a falling-only default',
      {
        version: 1,
        defaults: { settlement_marker: { falling: { alert: -1, alarm: -2, action: -3 } } },
      },
      true,
    ],
    ['no version', {}, false],
    ['version 2', { version: 2 }, false],
    ['an unknown top-level field', { version: 1, defualts: {} }, false],
    [
      'an unknown instrument type in defaults',
      { version: 1, defaults: { inclinometer: levels } },
      false,
    ],
    ['levels with no direction', { version: 1, defaults: { piezometer: {} } }, false],
    [
      'levels with only relative_to',
      { version: 1, defaults: { water_standpipe: { relative_to: 'surface_level' } } },
      false,
    ],
    [
      'a missing threshold',
      { version: 1, defaults: { piezometer: { rising: { alert: 1, alarm: 2 } } } },
      false,
    ],
    [
      'a string threshold',
      { version: 1, defaults: { piezometer: { rising: { alert: '1', alarm: 2, action: 3 } } } },
      false,
    ],
    [
      'relative_to something else',
      { version: 1, defaults: { water_standpipe: { ...levels, relative_to: 'datum' } } },
      false,
    ],
    [
      'an entry without borehole',
      { version: 1, instruments: [{ instrument: 'piezometer', trigger_levels: levels }] },
      false,
    ],
    [
      'an entry with a blank borehole',
      { version: 1, instruments: [{ ...entry, borehole_number: ' ' }] },
      false,
    ],
    [
      'an entry with a 128-character borehole',
      { version: 1, instruments: [{ ...entry, borehole_number: 'B'.repeat(128) }] },
      true,
    ],
    [
      'an entry with a 129-character borehole',
      { version: 1, instruments: [{ ...entry, borehole_number: 'B'.repeat(129) }] },
      false,
    ],
    [
      'an entry with a newline in its borehole',
      { version: 1, instruments: [{ ...entry, borehole_number: 'P-1\n' }] },
      false,
    ],
    [
      'an entry with an unknown field',
      { version: 1, instruments: [{ ...entry, level: 3 }] },
      false,
    ],
    ['instruments as an object', { version: 1, instruments: { P1: entry } }, false],
    ['a rate rule', { version: 1, rate_of_change_defaults: { piezometer: rate } }, true],
    ['rate rules "off"', { version: 1, rate_of_change_defaults: { piezometer: 'off' } }, true],
    ['a silence rule', { version: 1, silence_defaults: { piezometer: silence } }, true],
    [
      'an entry with only a silence rule',
      { version: 1, instruments: [{ instrument: 'piezometer', borehole_number: 'P-1', silence }] },
      true,
    ],
    [
      'an entry with no rule',
      { version: 1, instruments: [{ instrument: 'piezometer', borehole_number: 'P-1' }] },
      false,
    ],
    [
      'a rate rule with no level',
      { version: 1, rate_of_change_defaults: { piezometer: { ...rate, alarm: undefined } } },
      false,
    ],
    [
      'a rate level of 0',
      { version: 1, rate_of_change_defaults: { piezometer: { ...rate, alarm: 0 } } },
      false,
    ],
    [
      'a rate direction "up"',
      { version: 1, rate_of_change_defaults: { piezometer: { ...rate, direction: 'up' } } },
      false,
    ],
    [
      'a rate interval "24 hours"',
      { version: 1, rate_of_change_defaults: { piezometer: { ...rate, over: '24 hours' } } },
      false,
    ],
    [
      'a rate unit without time base',
      { version: 1, rate_of_change_defaults: { piezometer: { ...rate, unit: 'kPa' } } },
      false,
    ],
    ['a rate setting "on"', { version: 1, rate_of_change_defaults: { piezometer: 'on' } }, false],
    [
      'an unknown rate field',
      { version: 1, rate_of_change_defaults: { piezometer: { ...rate, limit: 2 } } },
      false,
    ],
    [
      'rate defaults for an unknown type',
      { version: 1, rate_of_change_defaults: { inclinometer: rate } },
      false,
    ],
    [
      'a silence rule with both intervals',
      {
        version: 1,
        silence_defaults: {
          piezometer: { ...silence, learn_interval: { floor: '1min', ceiling: '1h' } },
        },
      },
      false,
    ],
    [
      'a silence rule with no interval',
      { version: 1, silence_defaults: { piezometer: { multiplier: 3 } } },
      false,
    ],
    [
      'a silence multiplier below 1',
      { version: 1, silence_defaults: { piezometer: { ...silence, multiplier: 0.5 } } },
      false,
    ],
    [
      'a silence level "none"',
      { version: 1, silence_defaults: { piezometer: { ...silence, level: 'none' } } },
      false,
    ],
    [
      'a learnt interval without ceiling',
      { version: 1, silence_defaults: { piezometer: { learn_interval: { floor: '1min' } } } },
      false,
    ],
  ])('on %s', (_name, config, valid) => {
    expect(siteConfigSchema(config)).toBe(valid);
    expect(parseSiteConfig(config).ok).toBe(valid);
  });

  it.each([
    [
      'thresholds out of order',
      { version: 1, defaults: { piezometer: { rising: { alert: 3, alarm: 2, action: 1 } } } },
      'invalid_threshold_order',
    ],
    [
      'overlapping directions',
      {
        version: 1,
        defaults: {
          extensometer: {
            rising: { alert: 1, alarm: 2, action: 3 },
            falling: { alert: 5, alarm: 0, action: -1 },
          },
        },
      },
      'invalid_threshold_order',
    ],
    [
      'relative levels for a piezometer',
      { version: 1, defaults: { piezometer: { ...levels, relative_to: 'surface_level' } } },
      'invalid_value',
    ],
    ['a duplicate instrument', { version: 1, instruments: [entry, entry] }, 'duplicate_entry'],
    [
      "a rate unit other than the type's",
      { version: 1, rate_of_change_defaults: { piezometer: { ...rate, unit: 'bar/h' } } },
      'invalid_value',
    ],
    [
      'rate levels out of order',
      { version: 1, rate_of_change_defaults: { piezometer: { ...rate, alert: 12 } } },
      'invalid_threshold_order',
    ],
    [
      'a rate interval under a minute',
      { version: 1, rate_of_change_defaults: { piezometer: { ...rate, over: '30s' } } },
      'invalid_value',
    ],
    [
      'a duration over 30 days',
      { version: 1, silence_defaults: { piezometer: { expected_interval: '31d' } } },
      'invalid_value',
    ],
    [
      'a learnt floor above its ceiling',
      {
        version: 1,
        silence_defaults: { piezometer: { learn_interval: { floor: '2h', ceiling: '1h' } } },
      },
      'invalid_value',
    ],
  ])('validator-only: %s passes the schema but not parseSiteConfig', (_name, config, code) => {
    expect(siteConfigSchema(config)).toBe(true);
    const result = parseSiteConfig(config);
    expect(result.ok ? [] : result.problems.map((p) => p.code)).toEqual([code]);
  });
});

describe('AlarmEvent: one schema for the events of every condition', () => {
  const alarmEvent = compile(AlarmEventSchema);
  const alert = compile(AlertSchema);
  const start = Date.UTC(2024, 0, 1);
  const window: WindowRecord = {
    schema_version: 1,
    id: windowId('settlement_marker', 'SM-1', start),
    instrument: 'settlement_marker',
    borehole_number: 'SM-1',
    window_start: '2024-01-01T00:00:00.000Z',
    window_end: '2024-01-01T00:00:10.000Z',
    reading_mean: -12,
    reading_min: -12,
    reading_max: -12,
    reading_count: 1,
    first_timestamp: '2024-01-01T00:00:00.000Z',
    last_timestamp: '2024-01-01T00:00:00.000Z',
    unit: 'mm',
    surface_level: 80,
    northing: 5815854,
    easting: 323112,
    trigger_level: 'alert',
  };
  const common = {
    schema_version: 1,
    kind: 'raise',
    instrument: 'settlement_marker',
    borehole_number: 'SM-1',
    from_level: 'none',
    to_level: 'alarm',
    occurred_at: '2024-01-01T00:00:10.000Z',
  };
  const level = {
    ...common,
    id: `${window.id}:falling:raise:alarm`,
    direction: 'falling',
    threshold: -10,
    value: -12,
    unit: 'mm',
    trigger_levels: { falling: { alert: -10, alarm: -20, action: -30 } },
    window,
  };
  const events = {
    'a level alert written before #12 (no condition)': level,
    'a level alert': { ...level, condition: 'level' },
    'a rate event': {
      ...common,
      condition: 'rate',
      id: `${window.id}:rate:falling:raise:alarm`,
      direction: 'falling',
      threshold: -2,
      value: -2.4,
      unit: 'mm/day',
      interval_ms: 86_400_000,
      span_ms: 80_000_000,
      rate_rule: { direction: 'falling', over: '24h', unit: 'mm/day', alarm: 2 },
      window,
    },
    'a no-data event': {
      ...common,
      condition: 'no_data',
      id: 'settlement_marker:SM-1:no_data:2024-01-01T00:00:00.000Z:raise:alarm',
      silent_since: '2024-01-01T00:00:00.000Z',
      expected_interval_ms: 900_000,
      interval_source: 'learnt',
      multiplier: 3,
    },
    'a clock-skew event': {
      ...common,
      condition: 'clock_skew',
      id: 'settlement_marker:SM-1:clock_skew:2024-01-01T00:00:10.000Z:raise:alarm',
      clock_status: 'ahead',
      offset_ms: 3_600_000,
      limit_ms: 300_000,
    },
  };

  it.each(Object.entries(events))('accepts %s', (_name, event) => {
    expect(alarmEvent(event)).toBe(true);
  });

  it('keeps level alerts valid for readers of the Alert schema, and only them', () => {
    expect(alert(events['a level alert'])).toBe(true);
    expect(alert(events['a rate event'])).toBe(false);
    expect(alert(events['a no-data event'])).toBe(false);
  });

  it.each([
    ['a rate event without its condition', { ...events['a rate event'], condition: undefined }],
    ['a level alert claiming to be a rate', { ...level, condition: 'rate' }],
    ['an unknown condition', { ...events['a no-data event'], condition: 'stale' }],
    [
      'a no-data event without silent_since',
      { ...events['a no-data event'], silent_since: undefined },
    ],
    ['a rate event with a fractional interval', { ...events['a rate event'], interval_ms: 1.5 }],
    [
      'a clock-skew event with status "late"',
      { ...events['a clock-skew event'], clock_status: 'late' },
    ],
  ])('rejects %s', (_name, event) => {
    expect(alarmEvent(JSON.parse(JSON.stringify(event)))).toBe(false);
  });
});
