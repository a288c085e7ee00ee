import fc from 'fast-check';
import {
  corruptItem,
  garbageBody,
  NO_FAULTS,
  planItemFault,
  planRequestFault,
  type FaultRates,
  type WireItem,
} from '../../src/simulation/faults';
import { mulberry32 } from '../../src/simulation/random';

const item: WireItem = {
  borehole_number: 'BH-4493',
  instrument: 'water_standpipe',
  surface_level: 79.45,
  northing: 5815854,
  easting: 323112,
  reading: 75.07,
  timestamp: '2022-05-02T08:02:20.073Z',
};

function observedItemRates(rates: FaultRates, n: number, seed: number) {
  const random = mulberry32(seed);
  const counts = {
    null_field: 0,
    empty_field: 0,
    non_numeric: 0,
    unknown_type: 0,
    late: 0,
    duplicate: 0,
  };
  for (let i = 0; i < n; i++) {
    const plan = planItemFault(random, rates);
    if (plan.corruption) counts[plan.corruption.kind]++;
    if (plan.latenessMs !== undefined) counts.late++;
    if (plan.duplicate) counts.duplicate++;
    expect(plan.corruption !== undefined && plan.latenessMs !== undefined).toBe(false);
  }
  return counts;
}

describe('item fault plans', () => {
  it('honour each configured rate (within sampling error)', () => {
    const rate = fc.double({ min: 0, max: 0.2, noNaN: true });
    fc.assert(
      fc.property(rate, rate, rate, rate, rate, rate, fc.integer(), (a, b, c, d, e, f, seed) => {
        const rates = {
          ...NO_FAULTS,
          nullField: a,
          emptyField: b,
          nonNumeric: c,
          unknownType: d,
          outOfOrder: e,
          duplicate: f,
        };
        const n = 4000;
        const counts = observedItemRates(rates, n, seed);
        // Five standard errors of a proportion at p = 0.2 with n = 4000 is about 0.032.
        const close = (count: number, p: number) =>
          expect(Math.abs(count / n - p)).toBeLessThan(0.035);
        close(counts.null_field, a);
        close(counts.empty_field, b);
        close(counts.non_numeric, c);
        close(counts.unknown_type, d);
        close(counts.late, e);
        close(counts.duplicate, f);
      }),
      { numRuns: 15 },
    );
  });

  it('inject nothing at rate 0', () => {
    const counts = observedItemRates(NO_FAULTS, 2000, 1);
    expect(Object.values(counts).every((count) => count === 0)).toBe(true);
  });

  it('send readings from 30 s to 10 min back in time when out of order', () => {
    const random = mulberry32(3);
    for (let i = 0; i < 200; i++) {
      const plan = planItemFault(random, { ...NO_FAULTS, outOfOrder: 1 });
      expect(plan.latenessMs).toBeGreaterThanOrEqual(30_000);
      expect(plan.latenessMs).toBeLessThanOrEqual(600_000);
    }
  });
});

describe('corruptItem', () => {
  it('nulls or empties exactly the chosen field', () => {
    expect(corruptItem(item, { kind: 'null_field', field: 'reading' })).toEqual({
      ...item,
      reading: null,
    });
    expect(corruptItem(item, { kind: 'empty_field', field: 'borehole_number' })).toEqual({
      ...item,
      borehole_number: '',
    });
  });

  it('puts text where the reading belongs, and an unknown name where the type belongs', () => {
    expect(corruptItem(item, { kind: 'non_numeric', text: 'ERR' }).reading).toBe('ERR');
    expect(corruptItem(item, { kind: 'unknown_type', name: 'inclinometer' }).instrument).toBe(
      'inclinometer',
    );
  });

  it('leaves the original item untouched', () => {
    const copy = { ...item };
    corruptItem(item, { kind: 'null_field', field: 'timestamp' });
    expect(item).toEqual(copy);
  });
});

describe('request fault plans', () => {
  it('honour the slow, 500 and garbage rates', () => {
    const random = mulberry32(11);
    const rates = { ...NO_FAULTS, slow: 0.1, http500: 0.2, garbage: 0.3 };
    const n = 20_000;
    let slow = 0;
    let http500 = 0;
    let garbage = 0;
    for (let i = 0; i < n; i++) {
      const plan = planRequestFault(random, rates);
      if (plan.slow) slow++;
      if (plan.outcome.kind === 'http_500') http500++;
      if (plan.outcome.kind === 'garbage') garbage++;
    }
    expect(slow / n).toBeCloseTo(0.1, 1);
    expect(http500 / n).toBeCloseTo(0.2, 1);
    expect(garbage / n).toBeCloseTo(0.3, 1);
  });
});

describe('garbageBody', () => {
  const real = JSON.stringify({ instruments: 1, units: 'x', timezone: 'UTC', items: [item] });

  it('truncates a real envelope, so it is never complete JSON', () => {
    const random = mulberry32(2);
    for (let i = 0; i < 100; i++) {
      const { body, contentType } = garbageBody('truncated_json', real, random);
      expect(contentType).toMatch(/json/);
      expect(real.startsWith(body as string)).toBe(true);
      expect(() => JSON.parse(body as string)).toThrow();
    }
  });

  it('serves HTML, an empty body, the reference error object and raw bytes', () => {
    const random = mulberry32(2);
    expect(garbageBody('html', real, random).contentType).toMatch(/text\/html/);
    expect(garbageBody('empty', real, random).body).toBe('');
    expect(JSON.parse(garbageBody('error_json', real, random).body as string)).toEqual({
      error: 'container could not be serialized.',
    });
    expect(Buffer.isBuffer(garbageBody('binary', real, random).body)).toBe(true);
  });
});
