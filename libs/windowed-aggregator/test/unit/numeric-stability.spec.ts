import { createWindowedAggregator, tumblingWindows, type WindowedRecord } from '../../src';
import { exactSum } from '../../src/testing';

const spec = tumblingWindows({ sizeMs: 1_000_000_000, graceMs: 0 });

function windowOf(values: readonly number[]) {
  const agg = createWindowedAggregator<null>({ spec });
  values.forEach((value, i) => {
    const record: WindowedRecord<null> = {
      key: 'k',
      partition: 0,
      offset: i,
      eventTimeMs: i,
      value,
      meta: null,
    };
    agg.add(record);
  });
  const [window] = agg.flushPartition(0);
  if (window === undefined) throw new Error('expected one window');
  return window;
}

describe('numerical stability', () => {
  it('keeps small readings that a large one would round away (compensated summation)', () => {
    // A plain running sum gives 0: 1e16 + 1 rounds back to 1e16.
    expect(windowOf([1e16, 1, -1e16])).toMatchObject({ sum: 1, count: 3, min: -1e16, max: 1e16 });
  });

  it('averages a long window of readings near a large level to the exact mean', () => {
    // An hour of 1 Hz water levels around 104.3 m, varying in the third decimal.
    const values = Array.from({ length: 3_600 }, (_, i) => 104.3 + ((i * 7) % 13) / 1000);
    const window = windowOf(values);
    const exact = exactSum(values);
    expect(window.sum).toBe(exact);
    expect(window.mean).toBe(exact / values.length);
  });

  it('stays exact over a million readings where a running sum drifts', () => {
    const values = Array.from({ length: 1_000_000 }, (_, i) => (i % 2 === 0 ? 0.1 : 1e8 + 0.7));
    let naive = 0;
    for (const v of values) naive += v;
    const exact = exactSum(values);
    const window = windowOf(values);
    expect(Math.abs(window.sum - exact)).toBeLessThanOrEqual(Math.abs(exact) * Number.EPSILON);
    expect(Math.abs(naive - exact)).toBeGreaterThan(1); // what the old running sum would report
  });

  it('keeps the mean right when the sum overflows a double: two readings of 1.7e308 average to 1.7e308', () => {
    const window = windowOf([1.7e308, 1.7e308]);
    expect(window.mean).toBe(1.7e308);
    expect(window.sum).toBe(Infinity); // the sum itself is beyond a double; the mean is not
    expect(windowOf([Number.MAX_VALUE, Number.MAX_VALUE, -Number.MAX_VALUE]).mean).toBe(
      Number.MAX_VALUE / 3,
    );
  });

  it('never averages pairwise: the mean of 1, 2, 3, 10 is 4', () => {
    expect(windowOf([1, 2, 3, 10]).mean).toBe(4);
  });
});
