import fc from 'fast-check';
import { chunk, lastWinsByKey } from '../../src/batching';
import { latestWindowPerInstrument, planBatch } from '../../src/postgres/batch-plan';
import { alertFor, windowRecord } from '../support/records';

describe('lastWinsByKey', () => {
  it('keeps one item per key, the last one given (naive oracle)', () => {
    fc.assert(
      fc.property(fc.array(fc.tuple(fc.integer({ min: 0, max: 20 }), fc.integer())), (pairs) => {
        const kept = lastWinsByKey(pairs, ([key]) => String(key));
        const oracle = new Map<string, [number, number]>();
        for (const pair of pairs) oracle.set(String(pair[0]), pair);
        expect(kept).toHaveLength(oracle.size);
        for (const item of kept) expect(item).toBe(oracle.get(String(item[0])));
      }),
      { numRuns: 200 },
    );
  });

  it('returns items in key order, so every writer locks rows in the same order', () => {
    expect(lastWinsByKey(['c', 'a', 'b', 'a'], (s) => s)).toEqual(['a', 'b', 'c']);
  });
});

describe('chunk', () => {
  it('splits into slices of at most n that concatenate back to the input', () => {
    fc.assert(
      fc.property(fc.array(fc.integer()), fc.integer({ min: 1, max: 50 }), (items, n) => {
        const slices = chunk(items, n);
        expect(slices.flat()).toEqual(items);
        for (const slice of slices) expect(slice.length).toBeGreaterThan(0);
        for (const slice of slices.slice(0, -1)) expect(slice).toHaveLength(n);
      }),
      { numRuns: 200 },
    );
  });

  it('refuses a size below 1', () => {
    expect(() => chunk([1], 0)).toThrow(RangeError);
  });
});

describe('planBatch', () => {
  const t0 = Date.UTC(2022, 4, 2);

  it('de-duplicates windows by (instrument, borehole, window start), last wins', () => {
    const first = windowRecord({ startMs: t0, reading_mean: 1 });
    const again = windowRecord({ startMs: t0, reading_mean: 2 });
    const other = windowRecord({ startMs: t0 + 10_000 });
    const plan = planBatch({ windows: [first, other, again] });
    expect(plan.windows.map((w) => [w.window_start, w.reading_mean])).toEqual([
      [first.window_start, 2],
      [other.window_start, other.reading_mean],
    ]);
  });

  it('de-duplicates alerts by id and checkpoints by (group, topic, partition), last wins', () => {
    const w = windowRecord();
    const plan = planBatch({
      alerts: [alertFor(w, { value: 1 }), alertFor(w, { value: 2 })],
      checkpoints: [
        { consumerGroup: 'g', topic: 't', partition: 0, nextOffset: '5', state: { n: 1 } },
        { consumerGroup: 'g', topic: 't', partition: 1, nextOffset: '7', state: {} },
        { consumerGroup: 'g', topic: 't', partition: 0, nextOffset: '9', state: { n: 2 } },
      ],
    });
    expect(plan.alerts.map((a) => a.value)).toEqual([2]);
    expect(plan.checkpoints.map((c) => [c.partition, c.next_offset, c.state])).toEqual([
      [0, '9', '{"n":2}'],
      [1, '7', '{}'],
    ]);
  });

  it("keeps each instrument's latest window for instrument_state", () => {
    const windows = [
      windowRecord({ borehole: 'A', startMs: t0 + 20_000 }),
      windowRecord({ borehole: 'A', startMs: t0 }),
      windowRecord({ borehole: 'B', startMs: t0 }),
      windowRecord({ borehole: 'A', startMs: t0 + 10_000 }),
    ];
    expect(latestWindowPerInstrument(windows).map((w) => w.id)).toEqual([
      windows[0]?.id,
      windows[2]?.id,
    ]);
    expect(planBatch({ windows }).instrumentStates).toHaveLength(2);
  });

  it('plans nothing for an empty batch', () => {
    expect(planBatch({})).toEqual({
      windows: [],
      alerts: [],
      instrumentStates: [],
      checkpoints: [],
      instrumentCheckpoints: [],
      instrumentCheckpointDeletes: [],
    });
  });

  it("gives an instrument's state row the clock judged with its latest window", () => {
    const windows = [windowRecord({ borehole_number: 'P-1' })];
    const id = windows[0]?.id ?? '';
    const plan = planBatch({
      windows,
      clocks: new Map([[id, { status: 'ahead', offsetMs: 3_600_000 }]]),
    });
    expect(plan.instrumentStates[0]).toMatchObject({
      clock_status: 'ahead',
      clock_offset_ms: 3_600_000,
    });
    expect(planBatch({ windows }).instrumentStates[0]).toMatchObject({
      clock_status: 'ok',
      clock_offset_ms: null,
    });
  });

  it("plans a checkpoint's changed instruments (last wins) and its forgotten ones", () => {
    const plan = planBatch({
      checkpoints: [
        {
          consumerGroup: 'g',
          topic: 'raw',
          partition: 1,
          nextOffset: '9',
          state: {},
          instruments: {
            upserts: [
              { key: 'piezometer:P-1', state: { v: 1 } },
              { key: 'piezometer:P-1', state: { v: 2 } },
            ],
            deletes: ['piezometer:P-9', 'piezometer:P-8', 'piezometer:P-9'],
          },
        },
      ],
    });
    expect(plan.instrumentCheckpoints).toEqual([
      {
        consumer_group: 'g',
        topic: 'raw',
        partition: 1,
        instrument_key: 'piezometer:P-1',
        state: { v: 2 }, // serialised per statement
      },
    ]);
    expect(plan.instrumentCheckpointDeletes).toEqual([
      {
        consumer_group: 'g',
        topic: 'raw',
        partition: 1,
        instrument_keys: ['piezometer:P-8', 'piezometer:P-9'],
      },
    ]);
  });
});
