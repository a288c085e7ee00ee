import fc from 'fast-check';
import { decodeRawMessage, validateReading } from '../../src';
import { readingMessageArbitrary } from '../../src/testing';
import { corruptionArbitrary } from '../corruptions';

describe('validateReading properties', () => {
  it('accepts every generated valid reading, normalising its timestamp to UTC milliseconds', () => {
    fc.assert(
      fc.property(readingMessageArbitrary(), ({ message, timestampMs }) => {
        const result = validateReading(message);
        expect(result.ok).toBe(true);
        if (!result.ok) return;
        expect(result.value.timestampMs).toBe(timestampMs);
        expect(result.value.timestamp).toBe(new Date(timestampMs).toISOString());
        expect(result.value.reading).toBe(message.reading);
      }),
      { numRuns: 500 },
    );
  });

  it('rejects each single-field corruption with exactly that field and the right code', () => {
    fc.assert(
      fc.property(readingMessageArbitrary(), corruptionArbitrary, ({ message }, corruption) => {
        const corrupted = corruption.apply(message);
        const result = validateReading(corrupted);
        expect(result.ok ? [] : result.problems.map((p) => [p.path, p.code])).toEqual([
          [corruption.field, corruption.code],
        ]);
      }),
      { numRuns: 1000 },
    );
  });

  it('gives the same verdict from JSON bytes as from the parsed object', () => {
    fc.assert(
      fc.property(
        readingMessageArbitrary(),
        fc.option(corruptionArbitrary, { nil: undefined }),
        ({ message }, corruption) => {
          const value = corruption ? corruption.apply(message) : message;
          const text = JSON.stringify(value);
          const direct = validateReading(JSON.parse(text));
          const decoded = decodeRawMessage(new TextEncoder().encode(text));
          if (direct.ok) {
            expect(decoded).toEqual({
              readings: [direct.value],
              problems: [],
              envelope: false,
              itemText: expect.any(Function),
            });
          } else {
            expect(decoded.readings).toEqual([]);
            expect(decoded.problems).toHaveLength(1);
            expect(decoded.problems[0]?.problems).toEqual(direct.problems);
          }
        },
      ),
      { numRuns: 300 },
    );
  });

  it('never throws, whatever it is given', () => {
    fc.assert(
      fc.property(fc.anything(), (value) => {
        validateReading(value);
      }),
      { numRuns: 300 },
    );
    fc.assert(
      fc.property(fc.oneof(fc.string(), fc.json(), fc.uint8Array()), (input) => {
        const result = decodeRawMessage(input);
        expect(result.readings.length + result.problems.length).toBeGreaterThan(0);
      }),
      { numRuns: 300 },
    );
  });
});
