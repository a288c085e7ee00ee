import { createWindowedAggregator, hoppingWindows, windowsFor } from '../../src';
import { feeder, type Meta } from '../support';

// size 10, advance 5, grace 0:
//   [0,10) [5,15) [10,20) ...   a reading at 7 is in [0,10) and [5,15)
const spec = hoppingWindows({ sizeMs: 10, advanceMs: 5, graceMs: 0 });

describe('hopping windows', () => {
  it('assigns a reading to every window containing it, oldest first', () => {
    expect(windowsFor(spec, 7)).toEqual([
      { startMs: 0, endMs: 10 },
      { startMs: 5, endMs: 15 },
    ]);
    expect(windowsFor(spec, 10)).toEqual([
      { startMs: 5, endMs: 15 },
      { startMs: 10, endMs: 20 },
    ]);
    expect(windowsFor(hoppingWindows({ sizeMs: 10, advanceMs: 3, graceMs: 0 }), 7)).toEqual([
      { startMs: 0, endMs: 10 },
      { startMs: 3, endMs: 13 },
      { startMs: 6, endMs: 16 },
    ]);
  });

  it('aggregates a reading into each of its windows', () => {
    const agg = createWindowedAggregator<Meta>({ spec });
    const r = feeder();
    const closed = [...agg.add(r('a', 7, 1)).closed, ...agg.add(r('a', 12, 3)).closed];
    expect(
      [...closed, ...agg.flushPartition(0)].map((w) => [w.windowStartMs, w.count, w.sum]),
    ).toEqual([
      [0, 1, 1],
      [5, 2, 4],
      [10, 1, 3],
    ]);
  });

  it('goes into its open windows and comes back late for its closed ones', () => {
    const agg = createWindowedAggregator<Meta>({ spec });
    const r = feeder();
    agg.add(r('a', 11)); // watermark 11: [0,10) is closed, [5,15) open
    const result = agg.add(r('a', 7));
    expect(result.late).toMatchObject({
      reason: 'window_closed',
      windows: [{ startMs: 0, endMs: 10 }],
    });
    expect(agg.flushPartition(0).map((w) => [w.windowStartMs, w.count])).toEqual([
      [5, 2],
      [10, 1],
    ]);
    expect(agg.partitionStats(0)).toMatchObject({ aggregated: 2, late: 1 });
  });

  it('treats the same key and event time as one reading across all its windows', () => {
    const agg = createWindowedAggregator<Meta>({ spec });
    const r = feeder();
    agg.add(r('a', 7));
    expect(agg.add(r('a', 7)).duplicate).toBe(true);
    expect(agg.flushPartition(0).map((w) => w.count)).toEqual([1, 1]);
  });
});
