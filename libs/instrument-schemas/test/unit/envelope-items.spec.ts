import fc from 'fast-check';
import { decodeRawMessage, envelopeItemSpans } from '../../src';
import { quoteNonFiniteTokens } from '../../src/validation/json-text';
import { readingMessageArbitrary } from '../../src/testing';
import { corruptionArbitrary } from '../corruptions';

describe('bad envelope items', () => {
  it('are each rejected alone, with their own original JSON text, and the rest kept', () => {
    fc.assert(
      fc.property(
        fc.array(
          fc.tuple(readingMessageArbitrary(), fc.option(corruptionArbitrary, { nil: undefined })),
          { minLength: 1, maxLength: 6 },
        ),
        fc.constantFrom(0, 2),
        (entries, indent) => {
          const items = entries.map(([g, c]) => (c ? c.apply(g.message) : g.message));
          const text = JSON.stringify(
            { instruments: items.length, units: 'x', timezone: 'UTC', items },
            null,
            indent,
          );
          const result = decodeRawMessage(text);
          expect(result.readings.length + result.problems.length).toBe(items.length);
          for (const p of result.problems) {
            expect(p.itemIndex).toBeDefined();
            expect(p.path.startsWith(`items[${p.itemIndex}]`)).toBe(true);
            expect(p.problems.every((q) => q.path.startsWith(`items[${p.itemIndex}]`))).toBe(true);
            // The slice is the item exactly as sent: same value, no neighbour's text.
            expect(JSON.parse(p.itemJson ?? 'null')).toEqual(
              JSON.parse(JSON.stringify(items[p.itemIndex ?? -1])),
            );
          }
        },
      ),
      { numRuns: 200 },
    );
  });

  it('keep the original bytes of an item even with escapes, nesting and odd spacing', () => {
    const bad = '{ "instrument" : "pi\\"ezo", "nested": {"items": [1, {"]": "}"}]} }';
    const text = `{"items": "decoy", "units":"x","instruments":2,"timezone":"UTC",\n "it\\u0065ms" : [ ${bad} ,\n{} ] }`;
    expect(envelopeItemSpans(text)?.map(([a, b]) => text.slice(a, b))).toEqual([bad, '{}']);
    expect(decodeRawMessage(text).problems.map((p) => [p.itemIndex, p.itemJson])).toEqual([
      [0, bad],
      [1, '{}'],
    ]);
  });
});

describe('damaged envelope bytes', () => {
  it('never make decoding throw, and every item is either a reading or a problem', () => {
    fc.assert(
      fc.property(
        fc.array(readingMessageArbitrary(), { minLength: 1, maxLength: 4 }),
        fc.array(fc.tuple(fc.nat(), fc.integer({ min: 0, max: 255 })), {
          minLength: 1,
          maxLength: 4,
        }),
        (generated, damage) => {
          const items = generated.map((g) => g.message);
          const bytes = new TextEncoder().encode(
            JSON.stringify({ instruments: items.length, units: 'x', timezone: 'UTC', items }),
          );
          for (const [at, byte] of damage) bytes[at % bytes.length] = byte;
          const result = decodeRawMessage(bytes);
          const itemProblems = result.problems.filter((p) => p.itemIndex !== undefined);
          if (itemProblems.length > 0 || result.problems.length === 0) {
            expect(new Set(itemProblems.map((p) => p.itemIndex)).size).toBe(itemProblems.length);
          }
        },
      ),
      { numRuns: 300 },
    );
  });
});

describe('quoteNonFiniteTokens', () => {
  it('quotes bare NaN and Infinity tokens but leaves strings alone', () => {
    expect(quoteNonFiniteTokens('{"a":NaN,"b":[-Infinity,Infinity],"c":"NaN \\" Infinity"}')).toBe(
      '{"a":"NaN","b":["-Infinity","Infinity"],"c":"NaN \\" Infinity"}',
    );
  });

  it('returns undefined when there is nothing to rescue', () => {
    expect(quoteNonFiniteTokens('{"a":1')).toBeUndefined();
  });

  it('lets a Python-written envelope keep its good items', () => {
    const good =
      '{"borehole_number":"E-1","instrument":"extensometer","surface_level":1,"northing":1,"easting":1,"reading":3,"timestamp":"2022-05-02T08:02:20Z"}';
    const bad = good.replace('"reading":3', '"reading":NaN');
    const result = decodeRawMessage(
      `{"instruments":2,"units":"displacement (mm)","timezone":"UTC","items":[${good},${bad}]}`,
    );
    expect(result.readings).toHaveLength(1);
    expect(result.problems.map((p) => [p.path, p.code, p.itemJson])).toEqual([
      ['items[1].reading', 'non_finite_number', bad],
    ]);
  });
});
