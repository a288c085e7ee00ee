import { createWindowedAggregator, sessionWindows } from '../../src';
import { feeder, type Meta } from '../support';

// gap 10, grace 5: readings less than 10 apart share a session [first, last + 10).
const spec = sessionWindows({ gapMs: 10, graceMs: 5 });
const aggregator = () => createWindowedAggregator<Meta>({ spec });

describe('session windows', () => {
  it('groups readings less than a gap apart and splits at a gap', () => {
    const agg = aggregator();
    const r = feeder();
    //  a: 0        9        18        28 (exactly a gap after 18: a new session)
    //     [----------------------- 28)  [28 ---- 38)
    for (const t of [0, 9, 18, 28]) agg.add(r('a', t, t));
    expect(agg.flushPartition(0).map((w) => [w.windowStartMs, w.windowEndMs, w.count])).toEqual([
      [0, 28, 3],
      [28, 38, 1],
    ]);
  });

  it("closes a session when its key's own watermark reaches last reading + gap", () => {
    const agg = aggregator();
    const r = feeder();
    agg.add(r('a', 0));
    agg.add(r('a', 4)); // session [0,14)
    expect(agg.add(r('b', 40)).closed).toEqual([]); // another key's time closes nothing of a's
    expect(agg.add(r('a', 18)).closed).toEqual([]); // a's watermark 13
    expect(agg.add(r('a', 19)).closed.map((w) => [w.key, w.windowStartMs, w.windowEndMs])).toEqual([
      ['a', 0, 14],
    ]);
  });

  it('merges two sessions bridged by a reading that arrives between them', () => {
    const agg = createWindowedAggregator<Meta>({
      spec: sessionWindows({ gapMs: 10, graceMs: 30 }),
    });
    const r = feeder();
    //  a: 0         15          then 8 arrives: [0,10) and [15,25) overlap its [8,18)
    agg.add(r('a', 0, 1));
    agg.add(r('a', 15, 3));
    agg.add(r('a', 8, 2));
    expect(agg.partitionStats(0).openWindows).toBe(1);
    expect(agg.flushPartition(0)).toEqual([
      expect.objectContaining({
        windowStartMs: 0,
        windowEndMs: 25,
        count: 3,
        mean: 2,
        minOffset: 0,
        maxOffset: 2,
      }),
    ]);
  });

  it('returns a reading that would extend an emitted session as late', () => {
    const agg = aggregator();
    const r = feeder();
    agg.add(r('a', 0)); //  session [0,10)
    agg.add(r('a', 15)); // a's watermark 10: [0,10) emitted; [15,25) opens
    //  a@8 is on time by the watermark alone (8 + 10 > 10), but it is within a gap of the
    //  emitted session's last reading, so it belongs to that session: late.
    expect(agg.add(r('a', 8)).late).toMatchObject({
      reason: 'window_closed',
      windows: [{ startMs: 8, endMs: 18 }],
    });
    //  a@-20: its own session [-20,-10) would already have closed
    expect(agg.add(r('a', -20)).late).toMatchObject({ reason: 'window_closed' });
    //  b@0 is another key: a's sessions say nothing of it
    expect(agg.add(r('b', 0)).late).toBeUndefined();
    //  a@10 is a full gap after a's emitted session: it joins the open [15,25)
    expect(agg.add(r('a', 10)).late).toBeUndefined();
  });

  it('counts a repeated reading in an open session once', () => {
    const agg = aggregator();
    const r = feeder();
    agg.add(r('a', 3));
    agg.add(r('a', 6));
    expect(agg.add(r('a', 3)).duplicate).toBe(true);
    expect(agg.flushPartition(0)[0]?.count).toBe(2);
  });
});
