import fc from 'fast-check';
import { envelopeItemTexts } from '../../src/core/envelope-items';

describe('envelopeItemTexts', () => {
  it('finds the exact text of each item, which parses to the item JSON.parse sees', () => {
    fc.assert(
      fc.property(
        fc.array(fc.jsonValue({ maxDepth: 3 }), { maxLength: 6 }),
        fc.dictionary(
          fc.string().filter((k) => k !== 'items' && k !== '__proto__'),
          fc.jsonValue({ maxDepth: 2 }),
          { maxKeys: 3 },
        ),
        fc.constantFrom(0, 1, 2),
        (items, extra, indent) => {
          const text = JSON.stringify({ ...extra, items, tail: extra }, null, indent);
          const texts = envelopeItemTexts(text);
          expect(texts).toBeDefined();
          expect(texts!.map((t) => JSON.parse(t))).toEqual(JSON.parse(text).items);
        },
      ),
      { numRuns: 300 },
    );
  });

  it('uses the last "items" key, as JSON.parse does', () => {
    expect(
      envelopeItemTexts('{"items":[1],"x":{"items":[5]},"items":[ {"a" : "]"} , 3 ]}'),
    ).toEqual(['{"a" : "]"}', '3']);
  });

  it('says a document is not an envelope when it has no top-level items array', () => {
    for (const text of [
      '{"reading":1}',
      '[{"items":[]}]',
      '{"items":3}',
      '{"a":{"items":[1]}}',
      'nope',
    ])
      expect(envelopeItemTexts(text)).toBeUndefined();
  });
});
