import {
  createWindowedAggregator,
  hoppingWindows,
  sessionWindows,
  tumblingWindows,
} from '../../src';
import { feeder, type Meta } from '../support';

// size 10, grace 100 (so nothing closes by watermark), at most 2 open windows per partition.
const spec = tumblingWindows({ sizeMs: 10, graceMs: 100 });

describe('the open-window cap', () => {
  it('evicts the oldest window (by end, then key) early by default, flagged', () => {
    const agg = createWindowedAggregator<Meta>({ spec, maxOpenWindowsPerPartition: 2 });
    const r = feeder();
    agg.add(r('b', 1));
    agg.add(r('a', 2));
    const { closed } = agg.add(r('c', 15)); // a third window: a[0,10) is the oldest
    expect(closed.map((w) => [w.key, w.windowStartMs, w.closedBy, w.early])).toEqual([
      ['a', 0, 'evicted', true],
    ]);
    expect(agg.partitionStats(0)).toMatchObject({
      openWindows: 2,
      windowsEvicted: 1,
      windowsEmitted: 1,
    });
  });

  it('returns later readings for an evicted window as late, so nothing is emitted twice', () => {
    const agg = createWindowedAggregator<Meta>({ spec, maxOpenWindowsPerPartition: 1 });
    const r = feeder();
    agg.add(r('a', 1));
    agg.add(r('b', 15)); // evicts a[0,10)
    expect(agg.add(r('a', 5)).late).toMatchObject({
      reason: 'window_evicted',
      windows: [{ startMs: 0, endMs: 10 }],
    });
    expect(agg.add(r('b', 16)).late).toBeUndefined(); // b's window is untouched
  });

  it('refuses a reading that needs a new window under reject-record, keeping open windows whole', () => {
    const agg = createWindowedAggregator<Meta>({
      spec,
      maxOpenWindowsPerPartition: 2,
      onOverflow: 'reject-record',
    });
    const r = feeder();
    agg.add(r('a', 1));
    agg.add(r('b', 1));
    const refused = agg.add(r('c', 1));
    expect(refused.late).toMatchObject({
      reason: 'open_window_limit',
      windows: [{ startMs: 0, endMs: 10 }],
    });
    expect(refused.closed).toEqual([]);
    expect(agg.add(r('a', 2)).late).toBeUndefined(); // existing windows still take readings
    expect(agg.partitionStats(0)).toMatchObject({ openWindows: 2, late: 1 });
  });

  it('caps each partition on its own, so one partition never evicts another', () => {
    const agg = createWindowedAggregator<Meta>({ spec, maxOpenWindowsPerPartition: 1 });
    agg.add(feeder(0)('a', 1));
    expect(agg.add(feeder(1)('b', 1)).closed).toEqual([]);
  });

  it('evicts sessions too, and a reading within the evicted session is late', () => {
    const agg = createWindowedAggregator<Meta>({
      spec: sessionWindows({ gapMs: 10, graceMs: 100 }),
      maxOpenWindowsPerPartition: 1,
    });
    const r = feeder();
    agg.add(r('a', 1));
    expect(agg.add(r('b', 50)).closed.map((w) => [w.key, w.windowEndMs, w.early])).toEqual([
      ['a', 11, true],
    ]);
    expect(agg.add(r('a', 5)).late?.reason).toBe('window_evicted');
  });

  it('refuses a hopping reading whole when its windows do not all fit, never half-aggregating it', () => {
    const agg = createWindowedAggregator<Meta>({
      spec: hoppingWindows({ sizeMs: 10, advanceMs: 5, graceMs: 100 }),
      maxOpenWindowsPerPartition: 3,
      onOverflow: 'reject-record',
    });
    const r = feeder();
    agg.add(r('a', 7)); //  opens [0,10) and [5,15)
    const refused = agg.add(r('b', 7)); // needs two more: only one fits
    expect(refused.late).toMatchObject({
      reason: 'open_window_limit',
      windows: [
        { startMs: 0, endMs: 10 },
        { startMs: 5, endMs: 15 },
      ],
    });
    expect(agg.add(r('a', 12)).late).toBeUndefined(); // [10,15) fits: a's windows take it
    expect(agg.flushPartition(0).map((w) => `${w.key}[${w.windowStartMs}) ${w.count}`)).toEqual([
      'a[0) 1',
      'a[5) 2',
      'a[10) 1',
    ]);
  });
});
