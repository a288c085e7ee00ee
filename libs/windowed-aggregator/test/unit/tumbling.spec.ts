import { createWindowedAggregator, tumblingWindows } from '../../src';
import { feeder, type Meta } from '../support';

// Timelines: size 10, grace 5. Watermark = highest event time - 5.
//   a:  0 . . . . . . . . 9 | 10 . . . . . . . . 19 | 20
//       [------ w0 ------)    [------ w1 -------)
const spec = tumblingWindows({ sizeMs: 10, graceMs: 5 });
const aggregator = () => createWindowedAggregator<Meta>({ spec });

describe('tumbling windows', () => {
  it('puts a reading at a window start in that window and one at its end in the next', () => {
    const agg = aggregator();
    const r = feeder();
    agg.add(r('a', 0, 1)); //  a: x at 0         -> [0,10)
    agg.add(r('a', 10, 2)); // a: x at 10        -> [10,20), not [0,10)
    const closed = agg.flushPartition(0);
    expect(closed.map((w) => [w.windowStartMs, w.windowEndMs, w.count, w.sum])).toEqual([
      [0, 10, 1, 1],
      [10, 20, 1, 2],
    ]);
  });

  it('emits a window once, when the watermark reaches its end, with final results', () => {
    const agg = aggregator();
    const r = feeder();
    //  a:  1 . . 4 ........ 14 15
    //      x     x           |  x    watermark 9, then 10 = end of [0,10)
    expect(agg.add(r('a', 1, 1)).closed).toEqual([]);
    expect(agg.add(r('a', 4, 3)).closed).toEqual([]);
    expect(agg.add(r('a', 14, 100)).closed).toEqual([]); // watermark 9 < 10
    const { closed } = agg.add(r('a', 15, 100)); // watermark 10: [0,10) is final
    expect(closed).toEqual([
      {
        key: 'a',
        partition: 0,
        windowStartMs: 0,
        windowEndMs: 10,
        count: 2,
        sum: 4,
        mean: 2,
        min: 1,
        max: 3,
        firstEventTimeMs: 1,
        lastEventTimeMs: 4,
        latestMeta: { note: 'a@4' },
        minOffset: 0,
        maxOffset: 1,
        closedBy: 'watermark',
        early: false,
        arrival: null, // these records carry no log time
      },
    ]);
    expect(agg.add(r('a', 16, 1)).closed).toEqual([]); // never again
  });

  it('averages as sum / count, not pairwise', () => {
    const agg = aggregator();
    const r = feeder();
    for (const v of [1, 2, 3, 10]) agg.add(r('a', v, v)); // times 1,2,3,10 -> [0,10) holds 1,2,3
    const [w0] = agg.flushPartition(0);
    expect(w0).toMatchObject({ count: 3, sum: 6, mean: 2 }); // pairwise ((1+2)/2+3)/2 = 2.25
  });

  it('aggregates readings out of order within the grace period', () => {
    const agg = aggregator();
    const r = feeder();
    //  a:  . . . . . . . . 8 . . . 12 ... then 3 arrives: watermark 7 < 10, still on time
    agg.add(r('a', 8, 8));
    agg.add(r('a', 12, 12));
    const late = agg.add(r('a', 3, 3));
    expect(late.late).toBeUndefined();
    const [w0] = agg.flushPartition(0);
    expect(w0).toMatchObject({
      windowStartMs: 0,
      count: 2,
      min: 3,
      max: 8,
      firstEventTimeMs: 3,
      lastEventTimeMs: 8,
    });
  });

  it('returns a reading for an emitted window as late, with a reason, and counts it', () => {
    const agg = aggregator();
    const r = feeder();
    //  a:  2 ........... 15 (closes [0,10)) ... 9 arrives: its window is gone
    agg.add(r('a', 2));
    expect(agg.add(r('a', 15)).closed).toHaveLength(1);
    const result = agg.add(r('a', 9));
    expect(result.late).toEqual({
      record: expect.objectContaining({ key: 'a', eventTimeMs: 9, offset: 2 }),
      reason: 'window_closed',
      windows: [{ startMs: 0, endMs: 10 }],
      watermarkMs: 10,
    });
    expect(agg.partitionStats(0)).toMatchObject({
      recordsIn: 3,
      aggregated: 2,
      late: 1,
      duplicates: 0,
    });
  });

  it('counts a reading delivered twice (same key, same event time) once', () => {
    const agg = aggregator();
    const r = feeder();
    agg.add(r('a', 5, 1, 'first'));
    const again = agg.add(r('a', 5, 1, 'retry'));
    expect(again.duplicate).toBe(true);
    agg.add(r('b', 5, 7)); // another key at the same time is not a duplicate
    const closed = agg.flushPartition(0);
    expect(closed.map((w) => [w.key, w.count, w.latestMeta.note])).toEqual([
      ['a', 1, 'first'],
      ['b', 1, 'b@5'],
    ]);
    expect(agg.partitionStats(0)).toMatchObject({ recordsIn: 3, aggregated: 2, duplicates: 1 });
  });

  it('keeps the metadata of the reading with the highest event time, whatever the arrival order', () => {
    const agg = aggregator();
    const r = feeder();
    agg.add(r('a', 7, 1, 'newest'));
    agg.add(r('a', 2, 1, 'older, arrived later'));
    expect(agg.flushPartition(0)[0]?.latestMeta).toEqual({ note: 'newest' });
  });

  it("closes a key's windows by its own time only, oldest first; a flush goes by end, then key", () => {
    const agg = aggregator();
    const r = feeder();
    agg.add(r('b', 1));
    agg.add(r('a', 2));
    agg.add(r('c', 12));
    agg.add(r('a', 13));
    expect(agg.add(r('z', 30)).closed).toEqual([]); // z's time is z's alone
    expect(agg.add(r('a', 30)).closed.map((w) => `${w.key}[${w.windowStartMs})`)).toEqual([
      'a[0)',
      'a[10)',
    ]);
    expect(agg.flushPartition(0).map((w) => `${w.key}[${w.windowStartMs})`)).toEqual([
      'b[0)',
      'c[10)',
      'a[30)',
      'z[30)',
    ]);
  });

  it('aligns windows before the epoch too', () => {
    const agg = createWindowedAggregator<Meta>({
      spec: tumblingWindows({ sizeMs: 10, graceMs: 20 }),
    });
    const r = feeder();
    agg.add(r('a', -1)); // [-10, 0)
    agg.add(r('a', -10)); // [-10, 0): a start belongs
    agg.add(r('a', -11)); // [-20, -10)
    expect(agg.flushPartition(0).map((w) => [w.windowStartMs, w.count])).toEqual([
      [-20, 1],
      [-10, 2],
    ]);
  });

  it('tracks the lowest and highest input offsets of each window', () => {
    const agg = aggregator();
    const r = feeder();
    agg.add(r('a', 1)); // offset 0
    agg.add(r('b', 12)); // offset 1
    agg.add(r('a', 3)); // offset 2
    expect(agg.flushPartition(0).map((w) => [w.key, w.minOffset, w.maxOffset])).toEqual([
      ['a', 0, 2],
      ['b', 1, 1],
    ]);
  });
});
