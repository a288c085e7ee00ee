import {
  gaussian,
  hashSeed,
  integerBetween,
  keyedRandom,
  mulberry32,
} from '../../src/simulation/random';

describe('mulberry32', () => {
  it('repeats the same sequence for the same seed and a different one for another seed', () => {
    const a = mulberry32(7);
    const b = mulberry32(7);
    const c = mulberry32(8);
    const first = Array.from({ length: 5 }, () => a());
    expect(Array.from({ length: 5 }, () => b())).toEqual(first);
    expect(Array.from({ length: 5 }, () => c())).not.toEqual(first);
  });

  it('draws uniformly from [0, 1)', () => {
    const random = mulberry32(1);
    const bins = new Array<number>(10).fill(0);
    let min = 1;
    let max = 0;
    for (let i = 0; i < 100_000; i++) {
      const u = random();
      min = Math.min(min, u);
      max = Math.max(max, u);
      const bin = Math.floor(u * 10);
      bins[bin] = (bins[bin] ?? 0) + 1;
    }
    expect(min).toBeGreaterThanOrEqual(0);
    expect(max).toBeLessThan(1);
    for (const count of bins) expect(Math.abs(count - 10_000)).toBeLessThan(500);
  });
});

describe('hashSeed', () => {
  it('tells apart keys that differ only above 2^32 (epoch milliseconds)', () => {
    const t = Date.UTC(2024, 0, 1);
    expect(hashSeed(1, t)).not.toBe(hashSeed(1, t + 2 ** 32));
    expect(hashSeed(1, t)).not.toBe(hashSeed(1, t + 1));
    expect(hashSeed(1, t)).toBe(hashSeed(1, t));
  });

  it('tells apart the same parts in a different order', () => {
    expect(hashSeed(1, 2, 3)).not.toBe(hashSeed(1, 3, 2));
  });

  it('gives keyed streams that do not repeat each other', () => {
    const firsts = new Set<number>();
    for (let key = 0; key < 10_000; key++) firsts.add(keyedRandom(99, key)());
    expect(firsts.size).toBe(10_000);
  });
});

describe('derived draws', () => {
  it('integerBetween includes both ends', () => {
    const random = mulberry32(3);
    const seen = new Set<number>();
    for (let i = 0; i < 1000; i++) seen.add(integerBetween(random, 50, 52));
    expect([...seen].sort()).toEqual([50, 51, 52]);
  });

  it('gaussian has mean 0 and standard deviation 1', () => {
    const random = mulberry32(5);
    const n = 50_000;
    let sum = 0;
    let squares = 0;
    for (let i = 0; i < n; i++) {
      const x = gaussian(random);
      sum += x;
      squares += x * x;
    }
    expect(Math.abs(sum / n)).toBeLessThan(0.02);
    expect(Math.abs(Math.sqrt(squares / n) - 1)).toBeLessThan(0.02);
  });
});
