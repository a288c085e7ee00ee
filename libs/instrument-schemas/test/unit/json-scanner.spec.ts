import fc from 'fast-check';
import {
  arrayElements,
  envelopeItemSpans,
  envelopeItemSpansAt,
  lastMember,
  objectMembers,
  skipValue,
} from '../../src';

const indents = fc.constantFrom<string | number | undefined>(undefined, 1, 2, '\t');
const texts = (text: string, spans: Array<[number, number]> | undefined) =>
  spans?.map(([start, end]) => text.slice(start, end));

describe('skipValue', () => {
  it('ends exactly where any JSON value ends, however it is spaced (property)', () => {
    fc.assert(
      fc.property(
        fc.jsonValue(),
        indents,
        fc.constantFrom('', ' ', ',1]', '}'),
        (v, indent, tail) => {
          const text = JSON.stringify(v, null, indent);
          expect(skipValue(text + tail, 0)).toBe(text.length);
        },
      ),
      { numRuns: 300 },
    );
  });

  it('fails on broken structure: an unclosed string, mismatched or unclosed brackets', () => {
    for (const text of ['"abc', '{"a": [1}', '[1, 2', '{"a": "}"', '', 'x"y'])
      expect(skipValue(text, 0)).toBe(-1);
  });

  it('takes a bare token (NaN, as Python writes it) as one scalar', () => {
    expect(skipValue('-Infinity,', 0)).toBe(9);
  });
});

describe('objectMembers and arrayElements', () => {
  it('find every member (escaped keys decoded) and element where JSON.parse reads them (property)', () => {
    fc.assert(
      fc.property(
        fc.dictionary(fc.string(), fc.jsonValue({ maxDepth: 2 }), { maxKeys: 5 }),
        fc.array(fc.jsonValue({ maxDepth: 2 }), { maxLength: 5 }),
        indents,
        (object, array, indent) => {
          const objectText = JSON.stringify(object, null, indent);
          const found = objectMembers(objectText, 0);
          expect(found?.end).toBe(objectText.length);
          expect(
            found?.members.map((m) => [
              m.key,
              JSON.parse(objectText.slice(m.valueStart, m.valueEnd)),
            ]),
          ).toEqual(Object.entries(JSON.parse(objectText) as object));

          const arrayText = JSON.stringify(array, null, indent);
          const elements = arrayElements(arrayText, 0);
          expect(elements?.end).toBe(arrayText.length);
          expect(texts(arrayText, elements?.elements)?.map((t) => JSON.parse(t))).toEqual(
            JSON.parse(arrayText),
          );
        },
      ),
      { numRuns: 300 },
    );
  });

  it('keep duplicate keys in order; lastMember is the one JSON.parse keeps', () => {
    const text = '{"a": 1, "b": 2, "a": 3}';
    const members = objectMembers(text, 0)?.members ?? [];
    expect(members.map((m) => m.key)).toEqual(['a', 'b', 'a']);
    const last = lastMember(members, 'a');
    expect(last && text.slice(last.valueStart, last.valueEnd)).toBe('3');
    expect(lastMember(members, 'c')).toBeUndefined();
  });

  it('refuse a missing separator or a bad key', () => {
    for (const text of ['{"a" 1}', '{"a": 1 "b": 2}', '{a: 1}', '{"\\x": 1}', '{"a": 1,}'])
      expect(objectMembers(text, 0)).toBeUndefined();
    for (const text of ['[1 2]', '[1,]', '[,1]']) expect(arrayElements(text, 0)).toBeUndefined();
  });
});

describe('envelopeItemSpans', () => {
  it('finds the exact text of each item, which parses to the item JSON.parse sees (property)', () => {
    fc.assert(
      fc.property(
        fc.array(fc.jsonValue({ maxDepth: 3 }), { maxLength: 6 }),
        fc.dictionary(
          fc.string().filter((k) => k !== 'items' && k !== '__proto__'),
          fc.jsonValue({ maxDepth: 2 }),
          { maxKeys: 3 },
        ),
        indents,
        (items, extra, indent) => {
          const text = JSON.stringify({ ...extra, items, tail: extra }, null, indent);
          const found = texts(text, envelopeItemSpans(text));
          expect(found?.map((t) => JSON.parse(t))).toEqual(JSON.parse(text).items);
        },
      ),
      { numRuns: 300 },
    );
  });

  it('uses the last "items" key, as JSON.parse does, whatever the earlier ones hold', () => {
    const text = '{"items":[1],"x":{"items":[5]},"items":[ {"a" : "]"} , 3 ]}';
    expect(texts(text, envelopeItemSpans(text))).toEqual(['{"a" : "]"}', '3']);
    const decoy = '{"items": "decoy", "it\\u0065ms": [ {"b": [1, {"]": "}"}]} ,\n{} ] }';
    expect(texts(decoy, envelopeItemSpans(decoy))).toEqual(['{"b": [1, {"]": "}"}]}', '{}']);
    expect(envelopeItemSpans('{"items": [1], "items": 3}')).toBeUndefined();
  });

  it('keeps an item with a bare NaN (as Python writes it) or a broken inside as one item', () => {
    const text = '{"items": [{"reading": NaN, "a": 1}, {"reading": -Infinity}, {"a": 1,, "b": 2}]}';
    expect(texts(text, envelopeItemSpans(text))).toEqual([
      '{"reading": NaN, "a": 1}',
      '{"reading": -Infinity}',
      '{"a": 1,, "b": 2}',
    ]);
  });

  it('accepts a byte-order mark and surrounding whitespace', () => {
    const text = '\ufeff \n{"items": [true]}\n ';
    expect(texts(text, envelopeItemSpans(text))).toEqual(['true']);
  });

  it.each([
    ['a reading', '{"reading":1}'],
    ['a top-level array', '[{"items":[]}]'],
    ['items that are not an array', '{"items":3}'],
    ['items only in a nested object', '{"a":{"items":[1]}}'],
    ['not JSON', 'nope'],
    ['an empty text', ''],
    ['truncated JSON', '{"instruments": 2, "items": [{"borehole_number": "BH-1", "rea'],
    ['trailing text', '{"items": []} extra'],
    ['an unclosed string', '{"items": ["abc]}'],
    ['mismatched brackets', '{"items": [{"a": 1]]}'],
  ])('is undefined for %s', (_what, text) => {
    expect(envelopeItemSpans(text)).toBeUndefined();
  });

  it('at an offset: tells no "items" (undefined) from a last "items" that is not an array (null)', () => {
    const text = 'x{"units": "u"} {"items": {"a": 1}}';
    expect(envelopeItemSpansAt(text, 1)).toEqual({ spans: undefined, end: 15 });
    expect(envelopeItemSpansAt(text, 16)).toEqual({ spans: null, end: text.length });
  });
});
