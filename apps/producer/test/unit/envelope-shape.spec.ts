import fc from 'fast-check';
import { envelopeItems, itemIdentity } from '../../src/messages/envelope-shape';

const reading = {
  borehole_number: 'BH-4493',
  instrument: 'water_standpipe',
  surface_level: 79.45,
  northing: 5815854,
  easting: 323112,
  reading: 75.07,
  timestamp: '2022-05-02T08:02:20.073Z',
};

function itemTexts(text: string): string[][] | undefined {
  return envelopeItems(text)?.map((e) => e.spans.map(([s, end]) => text.slice(s, end)));
}

describe('envelopeItems', () => {
  it('finds each item of a batch envelope as its exact original text', () => {
    const text = `{"instruments": 2, "units": "water level (m)", "timezone": "UTC", "items": [ ${JSON.stringify(reading)} ,\n  {"reading": 1.50, "x": [1, {"y": "]}"}]} ]}`;
    expect(itemTexts(text)).toEqual([
      [JSON.stringify(reading), '{"reading": 1.50, "x": [1, {"y": "]}"}]}'],
    ]);
  });

  it('finds the items of every envelope of /params/all, by type', () => {
    const envelope = (items: unknown[]) => ({
      instruments: items.length,
      units: 'u',
      timezone: 'UTC',
      items,
    });
    const text = JSON.stringify({
      instruments: 3,
      timezone: 'UTC',
      envelopes: {
        piezometer: envelope([reading, reading]),
        strain_gauge: envelope([]),
        extensometer: envelope([1]),
      },
    });
    const found = envelopeItems(text);
    expect(found?.map((e) => e.envelope)).toEqual(['piezometer', 'strain_gauge', 'extensometer']);
    expect(found?.map((e) => e.spans.length)).toEqual([2, 0, 1]);
  });

  it('keeps an item with a bare NaN (as Python writes it) or a broken inside as one item', () => {
    const text = '{"items": [{"reading": NaN, "a": 1}, {"reading": -Infinity}, {"a": 1,, "b": 2}]}';
    expect(itemTexts(text)).toEqual([
      ['{"reading": NaN, "a": 1}', '{"reading": -Infinity}', '{"a": 1,, "b": 2}'],
    ]);
  });

  it('follows JSON.parse on duplicate keys: the last "items" wins', () => {
    expect(itemTexts('{"items": [1], "items": [2, 3]}')).toEqual([['2', '3']]);
    expect(itemTexts('{"items": "not yet", "items": [2, 3]}')).toEqual([['2', '3']]);
    expect(itemTexts('{"items": [1], "items": "no longer"}')).toBeUndefined();
  });

  it('follows JSON.parse on a repeated envelope: first position, last value', () => {
    const text =
      '{"envelopes": {"piezometer": {"items": [1]}, "strain_gauge": {"items": []}, "piezometer": {"items": [2, 3]}}}';
    const parsed = JSON.parse(text) as { envelopes: Record<string, { items: unknown[] }> };
    const found = envelopeItems(text);
    expect(found?.map((e) => e.envelope)).toEqual(Object.keys(parsed.envelopes));
    expect(found?.map((e) => e.envelope)).toEqual(['piezometer', 'strain_gauge']);
    expect(itemTexts(text)).toEqual([['2', '3'], []]);
  });

  it('accepts a byte-order mark and surrounding whitespace', () => {
    expect(itemTexts('\ufeff \n{"items": [true]}\n ')).toEqual([['true']]);
  });

  it.each([
    ['truncated JSON', '{"instruments": 2, "items": [{"borehole_number": "BH-1", "rea'],
    ['HTML', '<html><body>502 Bad Gateway</body></html>'],
    ['the reference error object', '{"error": "container could not be serialized."}'],
    ['an empty body', ''],
    ['items that are not an array', '{"items": {"a": 1}}'],
    [
      'items that are not an array beside envelopes',
      '{"items": 3, "envelopes": {"piezometer": {"items": []}}}',
    ],
    ['trailing text', '{"items": []} extra'],
    ['an unclosed string', '{"items": ["abc]}'],
    ['mismatched brackets', '{"items": [{"a": 1]]}'],
    ['a top-level array', '[{"items": []}]'],
    ['an envelope under envelopes without items', '{"envelopes": {"piezometer": {"units": "x"}}}'],
  ])('is not an envelope: %s', (_what, text) => {
    expect(envelopeItems(text)).toBeUndefined();
  });

  it('agrees with JSON.parse on any envelope, however it is spaced (property)', () => {
    fc.assert(
      fc.property(
        fc.array(fc.jsonValue(), { maxLength: 8 }),
        fc.constantFrom(undefined, 1, 2, '\t'),
        (items, indent) => {
          const text = JSON.stringify(
            { instruments: items.length, units: 'u', timezone: 'UTC', items },
            null,
            indent,
          );
          const found = itemTexts(text);
          expect(found).toHaveLength(1);
          expect(found?.[0]?.map((t) => JSON.parse(t))).toEqual(JSON.parse(text).items);
        },
      ),
      { numRuns: 300 },
    );
  });
});

describe('itemIdentity', () => {
  const identity = (item: string) => itemIdentity(item, 0);

  it('reads the instrument and borehole number without parsing the rest', () => {
    expect(identity('{"borehole_number":"BH-1","instrument":"piezometer","reading":NaN}')).toEqual({
      instrument: 'piezometer',
      boreholeNumber: 'BH-1',
    });
  });

  it('decodes escapes in the names', () => {
    expect(
      identity('{"borehole_number":"BH-\\u0031\\"x","instrument":"piezometer"}')?.boreholeNumber,
    ).toBe('BH-1"x');
  });

  it.each([
    ['a missing borehole number', '{"instrument":"piezometer"}'],
    ['a null instrument', '{"instrument":null,"borehole_number":"BH-1"}'],
    ['an empty borehole number', '{"instrument":"piezometer","borehole_number":""}'],
    ['a numeric borehole number', '{"instrument":"piezometer","borehole_number":4493}'],
    ['not an object', '"BH-1"'],
  ])('has none with %s', (_what, item) => {
    expect(identity(item)).toBeUndefined();
  });
});
