import fc from 'fast-check';
import { ReadingSchema, validateReading } from '../../src';
import { exampleReadingMessage } from '../../src/testing';
import { compile } from '../ajv';

// Instrument ids become Kafka keys, PostgreSQL primary keys and CSV cells: control characters
// (PostgreSQL text cannot even store U+0000) and absurd lengths are refused at the door.
const readingSchema = compile(ReadingSchema);
const withId = (borehole_number: string) => ({ ...exampleReadingMessage(), borehole_number });

describe('borehole_number', () => {
  it.each([
    ['a NUL character', 'BH-\u00001'],
    ['a newline', 'BH-1\n'],
    ['an escape sequence', 'BH-\u001b[31m1'],
    ['DEL', 'BH\u007f1'],
    ['129 characters', 'B'.repeat(129)],
  ])('with %s is invalid_value, and the JSON Schema agrees', (_what, id) => {
    const result = validateReading(withId(id));
    expect(result.ok).toBe(false);
    if (!result.ok)
      expect(result.problems).toEqual([
        expect.objectContaining({ code: 'invalid_value', path: 'borehole_number' }),
      ]);
    expect(readingSchema(withId(id))).toBe(false);
  });

  it.each([
    ['markup, shown as text by the dashboard', '<img src=x onerror=alert(1)>'],
    ['128 characters', 'B'.repeat(128)],
    ['non-ASCII letters', 'Bohrloch-Süd-7'],
    ['64 astral characters (256 bytes of UTF-8)', '🚇'.repeat(64)],
  ])('with %s is accepted by both', (_what, id) => {
    expect(validateReading(withId(id)).ok).toBe(true);
    expect(readingSchema(withId(id))).toBe(true);
  });

  // What JSON Schema cannot say: bytes, and Unicode well-formedness. A window id embeds the
  // borehole number and is an Elasticsearch _id (512 bytes at most); a lone surrogate has no
  // UTF-8 encoding, so PostgreSQL and Kafka would store something else, or refuse it.
  it.each([
    ['65 astral characters (260 bytes of UTF-8)', '🚇'.repeat(65), 'at most 256 bytes'],
    ['128 three-byte characters', 'あ'.repeat(128), 'at most 256 bytes'],
    ['a lone high surrogate', 'BH-\ud800', 'not valid Unicode'],
    ['a lone low surrogate', '\udc00BH', 'not valid Unicode'],
    ['surrogates the wrong way round', 'BH-\udc00\ud800', 'not valid Unicode'],
  ])('with %s is invalid_value (the validator alone can tell)', (_what, id, why) => {
    const result = validateReading(withId(id));
    expect(result.ok ? [] : result.problems).toEqual([
      expect.objectContaining({
        code: 'invalid_value',
        path: 'borehole_number',
        message: expect.stringContaining(why),
      }),
    ]);
  });

  it('agrees with the JSON Schema on arbitrary strings, but for bytes and lone surrogates', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary', maxLength: 140 }), (id) => {
        const validator = validateReading(withId(id));
        const validatorOnly =
          !validator.ok &&
          validator.problems.every(
            (p) => /bytes|not valid Unicode/.test(p.message) && p.path === 'borehole_number',
          );
        expect(readingSchema(withId(id))).toBe(validator.ok || validatorOnly);
      }),
      { numRuns: 500 },
    );
  });
});
