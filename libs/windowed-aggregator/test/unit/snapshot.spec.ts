import {
  createWindowedAggregator,
  sessionWindows,
  tumblingWindows,
  type PartitionSnapshot,
} from '../../src';
import { feeder, loggedFeeder, type Meta } from '../support';

const spec = tumblingWindows({ sizeMs: 10, graceMs: 5 });
const viaJson = <T>(value: T): unknown => JSON.parse(JSON.stringify(value));

function busyAggregator() {
  const agg = createWindowedAggregator<Meta>({ spec });
  const r = feeder(2);
  agg.add(r('a', 1, 0.1));
  agg.add(r('a', 3, 0.2));
  agg.add(r('b', 12, 5));
  agg.add(r('a', 16, 1)); // closes a[0,10)
  agg.add(r('a', 2, 1)); // late
  return { agg, r };
}

describe('snapshots', () => {
  it('restores from JSON and continues exactly as the original', () => {
    const { agg, r } = busyAggregator();
    const copy = createWindowedAggregator<Meta>({ spec });
    copy.restorePartition(2, viaJson(agg.snapshotPartition(2)));
    expect(copy.partitionStats(2)).toEqual(agg.partitionStats(2));
    const next = [r('b', 14, 2), r('a', 14, 2), r('c', 40, 1)];
    expect(next.map((x) => copy.add(x))).toEqual(next.map((x) => agg.add(x)));
    expect(copy.flushAll()).toEqual(agg.flushAll());
  });

  it('skips the replayed records between the safe offset and the snapshot', () => {
    const { agg } = busyAggregator();
    const replay = createWindowedAggregator<Meta>({ spec });
    replay.restore(viaJson(agg.snapshot()));
    expect(replay.safeOffset(2)).toBe(2); // b@12 still open
    const again = replay.add({
      key: 'b',
      partition: 2,
      offset: 2,
      eventTimeMs: 12,
      value: 5,
      meta: { note: 'b@12' },
    });
    expect(again.replayed).toBe(true);
    expect(replay.flushAll()).toEqual(agg.flushAll());
  });

  it('writes the same snapshot after a restore as before it', () => {
    const { agg } = busyAggregator();
    const copy = createWindowedAggregator<Meta>({ spec });
    copy.restore(viaJson(agg.snapshot()));
    expect(copy.snapshot()).toEqual(viaJson(agg.snapshot()));
  });

  it('snapshots a partition never seen as an empty one', () => {
    const agg = createWindowedAggregator<Meta>({ spec });
    expect(agg.snapshotPartition(9)).toMatchObject({
      partition: 9,
      nextOffset: 0,
      maxEventTimeMs: null,
      keys: [],
    });
  });

  it('restores one partition and leaves the others alone', () => {
    const { agg } = busyAggregator();
    const other = feeder(5);
    agg.add(other('q', 1));
    const before = agg.partitionStats(5);
    agg.restorePartition(2, viaJson(createWindowedAggregator<Meta>({ spec }).snapshotPartition(2)));
    expect(agg.partitionStats(2)).toMatchObject({ recordsIn: 0, openWindows: 0 });
    expect(agg.partitionStats(5)).toEqual(before);
  });

  it('forgets a released partition without emitting it', () => {
    const { agg } = busyAggregator();
    agg.releasePartition(2);
    expect(agg.partitions()).toEqual([]);
    expect(agg.flushAll()).toEqual([]);
  });

  it('hands out only the keys changed since it was last asked, and the keys forgotten', () => {
    const agg = createWindowedAggregator<Meta>({ spec, keyRetentionMs: 100 });
    const r = loggedFeeder(1);
    agg.add(r('a', 1, 1));
    agg.add(r('b', 1, 1));
    expect(agg.takeChanges(1).changed.map((k) => k.key)).toEqual(['a', 'b']);
    expect(agg.takeChanges(1)).toMatchObject({ changed: [], forgotten: [] });
    agg.add(r('b', 2, 2));
    const changes = agg.takeChanges(1);
    expect(changes.changed.map((k) => k.key)).toEqual(['b']);
    expect(changes.header).toMatchObject({ nextOffset: 3, logTimeMs: 2, keys: [] });
    agg.advanceLogTime(1, 50); // both keys' windows close quiet: both change
    agg.advanceLogTime(1, 101); // a, last heard at 1, is forgotten; b (at 2) not yet
    expect(agg.takeChanges(1)).toMatchObject({
      changed: [expect.objectContaining({ key: 'b' })],
      forgotten: ['a'],
    });
    // Applying header + changes to the last full snapshot gives the current snapshot.
    const full = viaJson(agg.snapshotPartition(1)) as PartitionSnapshot<Meta>;
    const copy = createWindowedAggregator<Meta>({ spec, keyRetentionMs: 100 });
    copy.restorePartition(1, full);
    expect(copy.takeChanges(1)).toMatchObject({ changed: [], forgotten: [] }); // as stored
  });

  it('migrates a version-1 snapshot: nothing it emitted is emitted again, for any key', () => {
    // Version 1 kept one watermark per partition: 16 - 5 = 11.
    const v1 = {
      format: 'geostream.windowed-aggregator.partition',
      version: 1,
      partition: 2,
      spec,
      nextOffset: 4,
      maxEventTimeMs: 16,
      advancedToMs: null,
      counters: {
        recordsIn: 4,
        aggregated: 4,
        duplicates: 0,
        late: 0,
        replayed: 0,
        windowsEmitted: 1,
        windowsEvicted: 0,
      },
      keys: [
        { key: 'a', closedUntilMs: null, eventTimes: [16], windows: [v1Window(16, 3)] },
        { key: 'b', closedUntilMs: null, eventTimes: [12], windows: [v1Window(12, 2)] },
      ],
    };
    const agg = createWindowedAggregator<Meta>({ spec });
    agg.restorePartition(2, v1);
    const r = feeder(2);
    for (let i = 0; i < 4; i++) r('skip', 0); // offsets 0..3 were processed
    expect(agg.add(r('b', 9)).late).toMatchObject({ reason: 'window_closed' }); // [0,10) <= 11
    expect(agg.add(r('c', 5)).late).toMatchObject({ reason: 'window_closed' }); // new key too
    expect(agg.add(r('c', 12)).late).toBeUndefined();
    expect(agg.add(r('b', 15)).late).toBeUndefined();
    // Every key counts as changed, so an incremental store rewrites them in the new format.
    expect(
      createWindowedAggregatorFrom(v1)
        .takeChanges(2)
        .changed.map((k) => k.key),
    ).toEqual(['a', 'b']);
    expect(agg.flushPartition(2).map((w) => `${w.key}[${w.windowStartMs}) ${w.count}`)).toEqual([
      'a[10) 1',
      'b[10) 2',
      'c[10) 1',
    ]);
  });

  describe('refuses a snapshot it cannot trust, changing nothing', () => {
    const good = () =>
      viaJson(busyAggregator().agg.snapshotPartition(2)) as PartitionSnapshot<Meta>;
    const restoreInto = (snapshot: unknown, partition = 2) => {
      const agg = createWindowedAggregator<Meta>({ spec });
      agg.add(feeder(2)('z', 1));
      try {
        agg.restorePartition(partition, snapshot);
      } finally {
        expect(agg.partitionStats(2).recordsIn).toBe(1); // untouched on failure
      }
    };
    const code = (fn: () => void) => {
      try {
        fn();
      } catch (error) {
        return (error as { code?: string }).code;
      }
      return 'no error';
    };

    it.each([
      ['not an object', () => 'garbage'],
      ['a wrong format', () => ({ ...good(), format: 'other' })],
      ['a missing field', () => ({ ...good(), nextOffset: undefined })],
      ['a window count of zero', () => mutateWindow(good(), { count: 0 })],
      ['min above max', () => mutateWindow(good(), { min: 10, max: 1 })],
      ['a window off the grid', () => mutateWindow(good(), { startMs: 11, endMs: 21 })],
      ['an offset beyond nextOffset', () => mutateWindow(good(), { maxOffset: 99 })],
      ['a NaN smuggled as null', () => mutateWindow(good(), { sum: null })],
      ["a window already past its key's watermark", () => pastWatermark(good())],
      ["a key clock after the partition's", () => ({ ...good(), maxEventTimeMs: 1 })],
    ])('SNAPSHOT_INVALID for %s', (_, snapshot) => {
      expect(code(() => restoreInto(snapshot()))).toBe('SNAPSHOT_INVALID');
    });

    it('SNAPSHOT_VERSION_UNSUPPORTED for a future version', () => {
      expect(code(() => restoreInto({ ...good(), version: 3 }))).toBe(
        'SNAPSHOT_VERSION_UNSUPPORTED',
      );
    });

    it('SNAPSHOT_SPEC_MISMATCH for another window spec', () => {
      expect(
        code(() => restoreInto({ ...good(), spec: sessionWindows({ gapMs: 10, graceMs: 5 }) })),
      ).toBe('SNAPSHOT_SPEC_MISMATCH');
    });

    it('SNAPSHOT_PARTITION_MISMATCH for another partition', () => {
      expect(code(() => restoreInto(good(), 3))).toBe('SNAPSHOT_PARTITION_MISMATCH');
    });

    it('SNAPSHOT_INVALID when the caller-supplied meta check fails', () => {
      const agg = createWindowedAggregator<Meta>({
        spec,
        isMeta: (m): m is Meta => typeof (m as Meta).note === 'string',
      });
      const snapshot = mutateWindow(good(), { latestMeta: { other: 1 } });
      expect(code(() => agg.restorePartition(2, snapshot))).toBe('SNAPSHOT_INVALID');
    });
  });
});

/** b's open window [10,20) with b's own clock moved to 100: the window should have closed. */
function pastWatermark(snapshot: PartitionSnapshot<Meta>): unknown {
  return {
    ...snapshot,
    maxEventTimeMs: 100,
    keys: snapshot.keys.map((key) => (key.key === 'b' ? { ...key, maxEventTimeMs: 100 } : key)),
  };
}

function mutateWindow(snapshot: PartitionSnapshot<Meta>, change: Record<string, unknown>): unknown {
  const [first, ...rest] = snapshot.keys;
  if (first === undefined) throw new Error('expected a key');
  const [window, ...others] = first.windows;
  return {
    ...snapshot,
    keys: [{ ...first, windows: [{ ...window, ...change }, ...others] }, ...rest],
  };
}

function v1Window(eventTimeMs: number, offset: number) {
  return {
    startMs: 10,
    endMs: 20,
    count: 1,
    sum: 1,
    compensation: 0,
    min: 1,
    max: 1,
    firstEventTimeMs: eventTimeMs,
    lastEventTimeMs: eventTimeMs,
    latestMeta: { note: `@${eventTimeMs}` },
    latestOffset: offset,
    minOffset: offset,
    maxOffset: offset,
  };
}

function createWindowedAggregatorFrom(snapshot: unknown) {
  const agg = createWindowedAggregator<Meta>({ spec });
  agg.restorePartition(2, snapshot);
  return agg;
}
