import fc from 'fast-check';
import { canonicalJson } from '../../src';
import { alertFor, windowRecord } from '../support/records';

function reversedKeys(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(reversedKeys);
  if (value === null || typeof value !== 'object') return value;
  return Object.fromEntries(
    Object.entries(value)
      .reverse()
      .map(([k, v]) => [k, reversedKeys(v)]),
  );
}

/** The same value, each object's keys set in sorted order where `sorted(depth)`, else reversed. */
function rebuilt(value: unknown, sorted: (depth: number) => boolean, depth = 0): unknown {
  if (Array.isArray(value)) return value.map((v) => rebuilt(v, sorted, depth + 1));
  if (value === null || typeof value !== 'object') return value;
  const entries = Object.entries(value).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  if (!sorted(depth)) entries.reverse();
  return Object.fromEntries(entries.map(([k, v]) => [k, rebuilt(v, sorted, depth + 1)]));
}

/** The definition, written plainly: sorted keys at every depth, JSON.stringify for the rest. */
function oracle(value: unknown): string {
  if (Array.isArray(value))
    return `[${value.map((v) => (v === undefined ? 'null' : oracle(v))).join(',')}]`;
  if (value !== null && typeof value === 'object') {
    const record = value as Record<string, unknown>;
    const entries = Object.keys(record)
      .sort()
      .filter((k) => record[k] !== undefined)
      .map((k) => `${JSON.stringify(k)}:${oracle(record[k])}`);
    return `{${entries.join(',')}}`;
  }
  return JSON.stringify(value);
}

describe('canonicalJson', () => {
  it('writes every value as the definition does, nested or flat, whatever its keys', () => {
    const key = fc.oneof(fc.string(), fc.constantFrom('__proto__', '10', '9', '01', 'a', 'B', 'é'));
    const leaf = fc.oneof(
      fc.string(),
      fc.double({ noNaN: true, noDefaultInfinity: true }),
      fc.boolean(),
      fc.constant(null),
    );
    const { tree } = fc.letrec((tie) => ({
      tree: fc.oneof(
        { depthSize: 'small' },
        leaf,
        fc.array(fc.oneof(tie('tree'), fc.constant(undefined))),
        fc.dictionary(key, fc.oneof(tie('tree'), fc.constant(undefined))),
      ),
    }));
    fc.assert(
      fc.property(tree, (value) => {
        expect(canonicalJson(value)).toBe(oracle(value));
        expect(canonicalJson(reversedKeys(value))).toBe(oracle(value));
        // Keys already in order (written as they are, not copied), at every depth or some.
        expect(canonicalJson(rebuilt(value, () => true))).toBe(oracle(value));
        expect(canonicalJson(rebuilt(value, (depth) => depth % 2 === 0))).toBe(oracle(value));
        expect(canonicalJson(rebuilt(value, (depth) => depth % 2 === 1))).toBe(oracle(value));
      }),
      { numRuns: 1_000 },
    );
    const alert = alertFor(windowRecord());
    expect(canonicalJson(alert)).toBe(oracle(alert));
    expect(canonicalJson({ at: new Date(0), n: [new Date(1)] })).toBe(
      '{"at":"1970-01-01T00:00:00.000Z","n":["1970-01-01T00:00:00.001Z"]}',
    );
  });

  it('gives the same bytes whatever order the keys were set in', () => {
    const alert = alertFor(windowRecord());
    expect(canonicalJson(reversedKeys(alert))).toBe(canonicalJson(alert));
  });

  it('parses back to the same value (JSON.parse oracle)', () => {
    fc.assert(
      fc.property(fc.jsonValue(), (value) => {
        expect(JSON.parse(canonicalJson(value))).toEqual(JSON.parse(JSON.stringify(value)));
      }),
      { numRuns: 300 },
    );
  });

  it('writes keys in sorted order at every depth', () => {
    expect(canonicalJson({ b: 1, a: { d: [{ z: 1, y: 2 }], c: null } })).toBe(
      '{"a":{"c":null,"d":[{"y":2,"z":1}]},"b":1}',
    );
  });

  it('refuses non-finite numbers rather than writing null', () => {
    expect(() => canonicalJson({ reading_mean: NaN })).toThrow(/reading_mean/);
    expect(() => canonicalJson([Infinity])).toThrow(/non-finite/);
    expect(() => canonicalJson({ a: { b: [1, undefined, -Infinity] } })).toThrow(
      "non-finite number at 'a.b[2]'",
    );
    expect(() => canonicalJson({ z: { f: () => 1 } })).toThrow(
      "cannot serialise function at 'z.f'",
    );
  });

  it('writes a flat record exactly as the walk at every depth does, whatever its keys', () => {
    // The reference: the same value nested one level down takes the general path.
    const viaWalk = (record: Record<string, unknown>) => canonicalJson([record]).slice(1, -1);
    const flat = fc.dictionary(
      fc.oneof(fc.string(), fc.constantFrom('__proto__', '10', '9', '01', 'a', 'B', 'é')),
      fc.oneof(
        fc.string(),
        fc.double({ noNaN: true, noDefaultInfinity: true }),
        fc.boolean(),
        fc.constant(null),
        fc.constant(undefined),
      ),
    );
    fc.assert(
      fc.property(flat, (record) => {
        expect(canonicalJson(record)).toBe(viaWalk(record));
        expect(canonicalJson(reversedKeys(record))).toBe(viaWalk(record));
        expect(canonicalJson(rebuilt(record, () => true))).toBe(viaWalk(record));
      }),
      { numRuns: 1_000 },
    );
    const window = windowRecord();
    expect(canonicalJson(window)).toBe(viaWalk(window as unknown as Record<string, unknown>));
  });

  it('skips undefined properties like JSON.stringify', () => {
    expect(canonicalJson({ a: undefined, b: 2 })).toBe('{"b":2}');
  });
});
