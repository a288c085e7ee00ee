import fc from 'fast-check';
import {
  BatchEnvelopeSchema,
  ReadingSchema,
  SiteConfigSchema,
  jsonSchemas,
  parseSiteConfig,
  validateEnvelope,
  validateReading,
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
  ])('validator-only: %s passes the schema but not parseSiteConfig', (_name, config, code) => {
    expect(siteConfigSchema(config)).toBe(true);
    const result = parseSiteConfig(config);
    expect(result.ok ? [] : result.problems.map((p) => p.code)).toEqual([code]);
  });
});
