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
    ['astral characters counted as code points', '🚇'.repeat(128)],
  ])('with %s is accepted by both', (_what, id) => {
    expect(validateReading(withId(id)).ok).toBe(true);
    expect(readingSchema(withId(id))).toBe(true);
  });

  it('agrees with the JSON Schema on arbitrary strings', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary', maxLength: 140 }), (id) => {
        expect(readingSchema(withId(id))).toBe(validateReading(withId(id)).ok);
      }),
      { numRuns: 500 },
    );
  });
});
