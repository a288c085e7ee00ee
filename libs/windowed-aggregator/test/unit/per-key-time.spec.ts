import { createWindowedAggregator, tumblingWindows } from '../../src';
import { feeder, type Meta } from '../support';

// size 10, grace 5
const spec = tumblingWindows({ sizeMs: 10, graceMs: 5 });
const aggregator = () => createWindowedAggregator<Meta>({ spec });

describe('watermarks per partition', () => {
  it('keeps one watermark per partition: a busy partition does not close a quiet one', () => {
    const agg = aggregator();
    const p0 = feeder(0);
    const p1 = feeder(1);
    agg.add(p0('a', 1));
    agg.add(p1('b', 1));
    const closed = agg.add(p1('b', 100)).closed; // partition 1 moves on; partition 0 does not
    expect(closed.map((w) => [w.partition, w.key])).toEqual([[1, 'b']]);
    expect(agg.partitionStats(0).watermarkMs).toBe(-4);
    expect(agg.partitionStats(1).watermarkMs).toBe(95);
  });

  it('closes the windows of an idle partition when the caller advances its watermark', () => {
    const agg = aggregator();
    const r = feeder();
    agg.add(r('a', 1));
    agg.add(r('a', 12));
    expect(agg.advanceWatermark(0, 9)).toEqual([]);
    expect(agg.advanceWatermark(0, 10).map((w) => [w.windowStartMs, w.closedBy])).toEqual([
      [0, 'advance'],
    ]);
    expect(agg.advanceWatermark(0, 5)).toEqual([]); // never backwards
    expect(agg.partitionStats(0).watermarkMs).toBe(10);
  });

  it('flushes every open window of a partition, then treats older readings as late', () => {
    const agg = aggregator();
    const r = feeder();
    //  a: 1      12          flush -> [0,10) and [10,20) emitted, watermark 20
    //  b:    5               then: a@19 late (window_flushed), a@20 opens [20,30)
    agg.add(r('a', 1));
    agg.add(r('b', 5));
    agg.add(r('a', 12));
    expect(agg.flushPartition(0).map((w) => `${w.key}[${w.windowStartMs}) ${w.closedBy}`)).toEqual([
      'a[0) flush',
      'b[0) flush',
      'a[10) flush',
    ]);
    expect(agg.add(r('a', 19)).late).toMatchObject({
      reason: 'window_flushed',
      windows: [{ startMs: 10, endMs: 20 }],
    });
    expect(agg.add(r('a', 20)).late).toBeUndefined();
    expect(agg.flushAll().map((w) => w.windowStartMs)).toEqual([20]);
  });

  it('remembers an advance on a partition that has seen no record yet', () => {
    const agg = aggregator();
    expect(agg.advanceWatermark(4, 100)).toEqual([]);
    const r = feeder(4);
    expect(agg.add(r('a', 95)).late).toMatchObject({ reason: 'window_flushed' });
    expect(agg.add(r('a', 100)).late).toBeUndefined();
  });

  it('flushes every partition in ascending order', () => {
    const agg = aggregator();
    agg.add(feeder(3)('c', 1));
    agg.add(feeder(1)('a', 1));
    expect(agg.flushAll().map((w) => w.partition)).toEqual([1, 3]);
  });

  it('tells a reading closed by the data watermark from one closed only by a flush', () => {
    const agg = aggregator();
    const r = feeder();
    agg.add(r('a', 1));
    agg.add(r('a', 16)); // watermark 11 closes [0,10)
    agg.flushPartition(0); // closes [10,20) although the data watermark is only 11
    expect(agg.add(r('a', 2)).late?.reason).toBe('window_closed');
    expect(agg.add(r('a', 13)).late?.reason).toBe('window_flushed');
  });
});

describe('offsets', () => {
  it('reports the lowest offset an open window still needs, else the next offset', () => {
    const agg = aggregator();
    const r = feeder();
    expect(agg.safeOffset(0)).toBeUndefined(); // nothing seen
    agg.add(r('a', 1)); //  offset 0 -> [0,10)
    agg.add(r('b', 12)); // offset 1 -> [10,20)
    agg.add(r('a', 3)); //  offset 2 -> [0,10)
    expect(agg.safeOffset(0)).toBe(0);
    agg.add(r('c', 15)); // offset 3: watermark 10 emits a[0,10) (offsets 0, 2); b still holds 1
    expect(agg.safeOffset(0)).toBe(1);
    agg.flushPartition(0);
    expect(agg.safeOffset(0)).toBe(4); // all emitted: the next offset
  });

  it('counts a late or duplicate reading as done: it holds back no offset', () => {
    const agg = aggregator();
    const r = feeder();
    agg.add(r('a', 20)); // offset 0, [20,30)
    agg.add(r('a', 1)); //  offset 1, late
    agg.add(r('a', 20)); // offset 2, duplicate
    expect(agg.safeOffset(0)).toBe(0);
    agg.flushPartition(0);
    expect(agg.safeOffset(0)).toBe(3);
  });

  it('skips a record whose offset was already processed (a replay), counting it apart', () => {
    const agg = aggregator();
    agg.add({ key: 'a', partition: 0, offset: 7, eventTimeMs: 1, value: 1, meta: { note: '' } });
    const again = agg.add({
      key: 'a',
      partition: 0,
      offset: 7,
      eventTimeMs: 2,
      value: 1,
      meta: { note: '' },
    });
    const older = agg.add({
      key: 'a',
      partition: 0,
      offset: 3,
      eventTimeMs: 3,
      value: 1,
      meta: { note: '' },
    });
    expect([again.replayed, older.replayed]).toEqual([true, true]);
    expect(agg.partitionStats(0)).toMatchObject({ recordsIn: 1, replayed: 2, nextOffset: 8 });
    expect(agg.flushPartition(0)[0]?.count).toBe(1);
  });
});

describe('batches', () => {
  it('returns what the single-record calls would, gathered', () => {
    const records = (() => {
      const r = feeder();
      return [r('a', 1), r('a', 1), r('b', 4), r('a', 17), r('a', 2), r('b', 30)];
    })();
    const one = aggregator();
    const singles = records.map((record) => one.add(record));
    const batch = aggregator().addBatch(records);
    expect(batch.closed).toEqual(singles.flatMap((s) => s.closed));
    expect(batch.late).toEqual(singles.flatMap((s) => (s.late ? [s.late] : [])));
    expect(batch.duplicates).toBe(1);
    expect(batch.replayed).toBe(0);
  });

  it('rejects a batch holding an invalid record before handling any of it', () => {
    const agg = aggregator();
    const r = feeder();
    const bad = { ...r('a', 2), value: Number.NaN };
    expect(() => agg.addBatch([r('a', 1), bad])).toThrow(
      expect.objectContaining({ code: 'RECORD_INVALID' }),
    );
    expect(agg.partitions()).toEqual([]);
  });
});
