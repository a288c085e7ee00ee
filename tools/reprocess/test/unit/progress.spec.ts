import {
  formatDuration,
  hasPassed,
  progressBar,
  progressOf,
  rateOf,
  statusLine,
} from '../../src/progress';

describe('progressOf', () => {
  const bounds = [
    { partition: 0, low: 10, high: 110 },
    { partition: 1, low: 0, high: 50 },
    { partition: 2, low: 5, high: 5 },
  ];

  it('counts a partition without a checkpoint as unread from its low offset', () => {
    expect(progressOf(bounds, [{ partition: 0, nextOffset: 60 }])).toEqual({
      done: 50,
      total: 150,
      lag: 100,
    });
  });

  it('is caught up when every checkpoint reached its log end', () => {
    expect(
      progressOf(bounds, [
        { partition: 0, nextOffset: 110 },
        { partition: 1, nextOffset: 50 },
      ]).lag,
    ).toBe(0);
  });

  it('clamps a checkpoint below the retained log (deleted by retention) to its start', () => {
    expect(
      progressOf([{ partition: 0, low: 100, high: 200 }], [{ partition: 0, nextOffset: 20 }]),
    ).toEqual({ done: 0, total: 100, lag: 100 });
  });
});

describe('hasPassed', () => {
  const then = [
    { partition: 0, low: 0, high: 100 },
    { partition: 1, low: 7, high: 7 },
  ];

  it('is true once every checkpoint reached where the log ended then, whatever came since', () => {
    expect(hasPassed(then, [{ partition: 0, nextOffset: 100 }])).toBe(true);
    expect(hasPassed(then, [{ partition: 0, nextOffset: 130 }])).toBe(true);
  });

  it('is false while a partition with records has no checkpoint or one short of that end', () => {
    expect(hasPassed(then, [{ partition: 0, nextOffset: 99 }])).toBe(false);
    expect(hasPassed(then, [])).toBe(false);
  });
});

describe('rateOf', () => {
  it('gives readings per second and the time left at the records-per-second pace', () => {
    const rate = rateOf(
      { atMs: 0, readings: 1_000, done: 100 },
      { atMs: 2_000, readings: 5_000, done: 300 },
      1_000,
    );
    expect(rate.readingsPerSecond).toBe(2_000);
    expect(rate.etaSeconds).toBe(10);
  });

  it('has no ETA while nothing moves, and none needed once caught up', () => {
    const still = { atMs: 0, readings: 5, done: 5 };
    expect(rateOf(still, { ...still, atMs: 1_000 }, 10).etaSeconds).toBeUndefined();
    expect(rateOf(still, { ...still, atMs: 1_000 }, 0).etaSeconds).toBe(0);
  });
});

describe('formatting', () => {
  it('draws the share read as a bar', () => {
    expect(progressBar({ done: 50, total: 100, lag: 50 }, 10)).toBe('[#####.....]  50%');
    expect(progressBar({ done: 0, total: 0, lag: 0 }, 4)).toBe('[####] 100%');
  });

  it('says lag, rate and ETA, or caught up', () => {
    const line = statusLine(
      'v2',
      { done: 10, total: 20, lag: 10 },
      {
        readingsPerSecond: 99.6,
        etaSeconds: 75,
      },
    );
    expect(line).toBe('v2: lag 10 records, 10/20 read, 100 readings/s, ETA 1m15s');
    expect(statusLine('v2', { done: 20, total: 20, lag: 0 }, undefined)).toMatch(/caught up$/);
    // A live log: a few records behind the end, but past where it ended a moment ago.
    expect(statusLine('v2', { done: 18, total: 20, lag: 2 }, undefined, true)).toMatch(
      /lag 2 records.*caught up$/,
    );
  });

  it('writes durations for people', () => {
    expect(formatDuration(undefined)).toBe('?');
    expect(formatDuration(59.4)).toBe('59s');
    expect(formatDuration(3_725)).toBe('1h02m');
  });
});
