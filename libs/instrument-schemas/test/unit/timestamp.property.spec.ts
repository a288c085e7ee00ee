import fc from 'fast-check';
import { parseTimestampMs } from '../../src';
import { formatIsoUtc } from '../../src/validation/timestamp';
import { zonedTimestampArbitrary } from '../../src/testing';

describe('parseTimestampMs', () => {
  it('agrees with an independent construction for every accepted spelling', () => {
    fc.assert(
      fc.property(zonedTimestampArbitrary(), ({ text, ms }) => {
        expect(parseTimestampMs(text)).toBe(ms);
      }),
      { numRuns: 2000 },
    );
  });

  it('agrees with Date.parse on canonical ISO strings, including leap days and year ends', () => {
    fc.assert(
      fc.property(
        fc.integer({
          min: Date.parse('0000-01-01T00:00:00Z'),
          max: Date.parse('9999-12-31T23:59:59.999Z'),
        }),
        (ms) => {
          const text = new Date(ms).toISOString();
          expect(parseTimestampMs(text)).toBe(Date.parse(text));
        },
      ),
      { numRuns: 2000 },
    );
  });

  it.each([
    ['2024-02-29T00:00:00Z', Date.UTC(2024, 1, 29)],
    ['2000-02-29T23:59:59.999Z', Date.UTC(2000, 1, 29, 23, 59, 59, 999)],
    ['1969-12-31T23:59:59.9999Z', -1],
    ['2022-05-02T00:30:00+01:00', Date.UTC(2022, 4, 1, 23, 30)],
    ['2022-05-02T23:30:00-05:30', Date.UTC(2022, 4, 3, 5, 0)],
  ])('parses %s', (text, ms) => {
    expect(parseTimestampMs(text)).toBe(ms);
  });

  it.each([
    '1900-02-29T00:00:00Z',
    '2023-02-29T00:00:00Z',
    '2022-04-31T00:00:00Z',
    '2022-05-02T08:02:20',
    '2022-05-02T08:02:20.Z',
    '2022-05-02T08:02:20.073ZZ',
    '+2022-05-02T08:02:20Z',
    '２０２２-05-02T08:02:20Z',
  ])('rejects %s', (text) => {
    expect(parseTimestampMs(text)).toBeNaN();
  });
});

describe('formatIsoUtc', () => {
  it('prints what toISOString prints, for every instant of years 0000 to 9999', () => {
    fc.assert(
      fc.property(
        fc.integer({
          min: Date.parse('0000-01-01T00:00:00Z'),
          max: Date.parse('9999-12-31T23:59:59.999Z'),
        }),
        (ms) => {
          expect(formatIsoUtc(ms)).toBe(new Date(ms).toISOString());
        },
      ),
      { numRuns: 3000 },
    );
  });

  it.each([
    0, -1, 951782400000, 253402300799999, -62167219200000, -62167219200001, 253402300800000,
  ])('prints %p like toISOString', (ms) => {
    expect(formatIsoUtc(ms)).toBe(new Date(ms).toISOString());
  });
});
