import { createWindowedAggregator, tumblingWindows } from '../../src';
import { feeder, loggedFeeder, type Meta } from '../support';

// size 10, grace 5
const spec = tumblingWindows({ sizeMs: 10, graceMs: 5 });
const aggregator = () => createWindowedAggregator<Meta>({ spec });

describe('time per key', () => {
  it('keeps one watermark per key: a busy key never closes a quiet one, on any partition', () => {
    const agg = aggregator();
    const r = feeder(0);
    agg.add(r('a', 1));
    agg.add(r('b', 1));
    expect(agg.add(r('b', 100)).closed.map((w) => w.key)).toEqual(['b']); // b moves on alone
    expect(agg.add(r('a', 9)).late).toBeUndefined(); // a's window [0,10) is still open
    expect(agg.add(feeder(1)('c', 1)).closed).toEqual([]);
  });

  it('counts a store-and-forward batch in full, however far behind the live keys it arrives', () => {
    //  live: reads every 2 ms, in the log 1 ms later.
    //  node: reads every 2 ms from 0, uploads everything at log time 60, then again at 90.
    const agg = aggregator();
    const r = loggedFeeder();
    const late: unknown[] = [];
    const windows: string[] = [];
    const feed = (record: ReturnType<typeof r>) => {
      const result = agg.add(record);
      if (result.late) late.push(result.late);
      for (const w of result.closed) windows.push(`${w.key}[${w.windowStartMs}) ${w.count}`);
    };
    for (let t = 0; t < 60; t += 2) feed(r('live', t, t + 1));
    for (let t = 0; t < 59; t += 2) feed(r('node', t, 60)); // 30 readings, up to 29 min behind
    for (let t = 60; t < 90; t += 2) feed(r('live', t, t + 1));
    for (let t = 59; t < 89; t += 2) feed(r('node', t, 90)); // the next upload carries on
    expect(late).toEqual([]);
    expect(windows.filter((w) => w.startsWith('node'))).toEqual([
      'node[0) 5',
      'node[10) 5',
      'node[20) 5',
      'node[30) 5',
      'node[40) 5',
      'node[50) 6', // split across two uploads: 50..58, and 59 from the next (still open)
      'node[60) 5',
      'node[70) 5',
    ]);
    expect(agg.flushPartition(0).map((w) => `${w.key}[${w.windowStartMs}) ${w.count}`)).toEqual([
      'live[80) 5',
      'node[80) 4',
    ]);
  });

  it('lets a fast or a slow clock move only its own windows', () => {
    //  fast: its clock 40 ms ahead; slow: 30 ms behind; ok: right. All send as they read.
    const agg = aggregator();
    const r = loggedFeeder();
    const late: unknown[] = [];
    const closed: string[] = [];
    for (let now = 0; now < 50; now += 1) {
      for (const [key, offset] of [
        ['fast', 40],
        ['slow', -30],
        ['ok', 0],
      ] as const) {
        const result = agg.add(r(key, now + offset, now));
        if (result.late) late.push(result.late);
        for (const w of result.closed) closed.push(`${w.key}[${w.windowStartMs}) ${w.count}`);
      }
    }
    expect(late).toEqual([]);
    // Every key's windows close as its own clock passes them: full windows of 10 readings each.
    expect(closed.filter((w) => w.startsWith('ok'))).toEqual([
      'ok[0) 10',
      'ok[10) 10',
      'ok[20) 10',
      'ok[30) 10',
    ]);
    expect(closed.filter((w) => w.startsWith('fast'))).toEqual([
      'fast[40) 10',
      'fast[50) 10',
      'fast[60) 10',
      'fast[70) 10',
    ]);
    expect(closed.filter((w) => w.startsWith('slow'))).toEqual([
      'slow[-30) 10',
      'slow[-20) 10',
      'slow[-10) 10',
      'slow[0) 10',
    ]);
  });

  it("reports each key's arrival: a fast clock shows as a negative delay", () => {
    const agg = aggregator();
    const r = loggedFeeder();
    for (let now = 0; now < 30; now++) agg.add(r('fast', now + 40, now));
    const [first] = agg.flushPartition(0);
    expect(first?.arrival).toEqual({ lastLogTimeMs: 29, delayLowMs: -40, delayHighMs: -40 });
  });

  it("closes a quiet key's last window once the log's time passes end + grace + its delays", () => {
    //  a reads 1..8, each in the log 2 ms later: [0,10) closes at log 10 + 5 + 2 + 0 = 17.
    const agg = aggregator();
    const r = loggedFeeder();
    for (let t = 1; t <= 8; t++) agg.add(r('a', t, t + 2));
    expect(agg.add(r('b', 100, 16)).closed).toEqual([]);
    const { closed } = agg.add(r('b', 101, 17));
    expect(closed.map((w) => [w.key, w.windowStartMs, w.count, w.closedBy])).toEqual([
      ['a', 0, 8, 'quiet'],
    ]);
    expect(agg.add(r('a', 9, 18)).late).toMatchObject({ reason: 'window_quiet' });
    expect(agg.add(r('a', 10, 19)).late).toBeUndefined(); // its next window opens normally
  });

  it("waits for a store-and-forward node's next upload before closing its last window", () => {
    //  node uploads every 20 ms of log time the readings of the 20 ms before: delays 1..20,
    //  so its windows wait 20 + (20 - 1) ms beyond end + grace for a reading that may come.
    const agg = aggregator();
    const r = loggedFeeder();
    for (let t = 0; t < 20; t++) agg.add(r('node', t, 20));
    for (let log = 21; log < 40; log++)
      expect(agg.add(r('live', log, log)).closed.filter((w) => w.key === 'node')).toEqual([]);
    for (let t = 20; t < 40; t++) agg.add(r('node', t, 40));
    expect(agg.partitionStats(0).late).toBe(0);
    // Nothing comes after the second upload: [30,40) closes at 40 + 5 + 20 + 19 = 84.
    expect(agg.advanceLogTime(0, 83).filter((w) => w.key === 'node')).toEqual([]);
    expect(agg.advanceLogTime(0, 84).map((w) => [w.key, w.windowStartMs, w.closedBy])).toEqual([
      ['node', 30, 'quiet'],
    ]);
  });

  it('backfills months of old readings in order: every one counted, windows closed by their own time', () => {
    const agg = aggregator();
    const r = loggedFeeder();
    const monthsAgo = -90 * 86_400_000;
    const windows: number[] = [];
    for (let i = 0; i < 100; i++) {
      // A live key keeps the log moving meanwhile.
      const live = agg.add(r('live', i, i));
      const result = agg.add(r('old', monthsAgo + i, i));
      expect(result.late).toBeUndefined();
      for (const w of [...live.closed, ...result.closed])
        if (w.key === 'old') windows.push(w.count);
    }
    expect(windows).toEqual([10, 10, 10, 10, 10, 10, 10, 10, 10]);
    expect(agg.flushPartition(0).find((w) => w.key === 'old')?.count).toBe(10);
  });

  it('closes the windows of keys gone quiet on a partition that receives nothing, when told the time', () => {
    const agg = aggregator();
    const r = loggedFeeder(3);
    agg.add(r('a', 1, 1));
    agg.add(r('a', 12, 12));
    // a's delays are 0: [0,10) is quiet at 10 + 5 (grace) + 0 + 0 = 15.
    expect(agg.advanceLogTime(3, 14)).toEqual([]);
    expect(agg.advanceLogTime(3, 15).map((w) => [w.windowStartMs, w.closedBy])).toEqual([
      [0, 'quiet'],
    ]);
    expect(agg.advanceLogTime(3, 10)).toEqual([]); // never backwards
    expect(agg.partitionStats(3).logTimeMs).toBe(15);
  });

  it('forgets a key silent for keyRetentionMs of log time; it starts afresh if it comes back', () => {
    const agg = createWindowedAggregator<Meta>({ spec, keyRetentionMs: 100 });
    const r = loggedFeeder();
    agg.add(r('a', 1, 1));
    agg.advanceLogTime(0, 50); // [0,10) closes quiet
    expect(agg.partitionStats(0).keys).toBe(1);
    expect(agg.add(r('a', 5, 60)).late).toMatchObject({ reason: 'window_quiet' });
    agg.advanceLogTime(0, 159);
    expect(agg.partitionStats(0).keys).toBe(1); // last heard at 60
    agg.advanceLogTime(0, 160);
    expect(agg.partitionStats(0).keys).toBe(0);
    expect(agg.add(r('a', 5, 170)).late).toBeUndefined(); // forgotten: a new key
  });

  it('flushes every open window of a partition, then treats older readings as late', () => {
    const agg = aggregator();
    const r = feeder();
    //  a: 1      12          flush -> [0,10) and [10,20) emitted
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

  it('flushes every partition in ascending order', () => {
    const agg = aggregator();
    agg.add(feeder(3)('c', 1));
    agg.add(feeder(1)('a', 1));
    expect(agg.flushAll().map((w) => w.partition)).toEqual([1, 3]);
  });

  it("tells a reading closed by its key's own watermark from one closed only by a flush", () => {
    const agg = aggregator();
    const r = feeder();
    agg.add(r('a', 1));
    agg.add(r('a', 16)); // a's watermark 11 closes [0,10)
    agg.flushPartition(0); // closes [10,20) although a's watermark is only 11
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
    agg.add(r('a', 15)); // offset 3: a's watermark 10 emits a[0,10) (offsets 0, 2); b holds 1
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
