import { tumblingWindows, hoppingWindows } from '@geostream/windowed-aggregator';
import { validateWindowRecord } from '@geostream/instrument-schemas';
import { isBalanced } from '../../src/core/accounting';
import {
  PartitionProcessor,
  type PartitionProcessorOptions,
} from '../../src/core/partition-processor';
import type { InstrumentAlertState } from '@geostream/alerting';
import { decodeInstrumentRow } from '../../src/core/checkpoint-codec';
import { alarmRulesFromSiteConfig } from '../../src/core/trigger-levels';
import { defined } from '@geostream/platform/testing';
import { CheckpointStore } from '../support/checkpoint-store';
import { INSTRUMENTS, T0, rawMessages, readingJson } from '../support/messages';

const [piezometer, settlement, standpipe, , extensometer] = INSTRUMENTS as [
  (typeof INSTRUMENTS)[number],
  (typeof INSTRUMENTS)[number],
  (typeof INSTRUMENTS)[number],
  (typeof INSTRUMENTS)[number],
  (typeof INSTRUMENTS)[number],
];

function options(overrides: Partial<PartitionProcessorOptions> = {}): PartitionProcessorOptions {
  return {
    topic: 'raw',
    partition: 3,
    spec: tumblingWindows({ sizeMs: 10_000, graceMs: 5_000 }),
    siteConfig: undefined,
    // Test records are logged ~17 min after their readings: no clock_skew unless a test asks.
    clockToleranceMs: 3_600_000,
    ...overrides,
  };
}

const iso = (ms: number) => new Date(T0 + ms).toISOString();

const withReadings = (readings: Parameters<typeof rawMessages>[0]) => {
  const processor = PartitionProcessor.fresh(options());
  processor.processBatch(rawMessages(readings));
  return processor;
};

/** Moves the log clock a month on: every window of every instrument has gone quiet. */
const closeAll = (processor: PartitionProcessor) => processor.advanceLogTime(T0 + 30 * 86_400_000);

describe('PartitionProcessor', () => {
  it('averages one instrument’s readings in a window into the true mean, min, max and count', () => {
    const processor = PartitionProcessor.fresh(options());
    const out = processor.processBatch(
      rawMessages([
        readingJson(piezometer, 1_000, 100),
        readingJson(piezometer, 2_000, 110),
        readingJson(piezometer, 9_999, 121),
        readingJson(piezometer, 15_000, 50), // watermark 10 000: closes [0, 10 000)
      ]),
    );
    expect(out.windows).toEqual([
      {
        schema_version: 1,
        id: `piezometer:PZ-1:${iso(0)}`,
        instrument: 'piezometer',
        borehole_number: 'PZ-1',
        window_start: iso(0),
        window_end: iso(10_000),
        reading_mean: 110.33333333333333,
        reading_min: 100,
        reading_max: 121,
        reading_count: 3,
        first_timestamp: iso(1_000),
        last_timestamp: iso(9_999),
        unit: 'kPa',
        surface_level: 42.5,
        northing: 5812000,
        easting: 320000,
        trigger_level: 'none',
      },
    ]);
    expect(validateWindowRecord(out.windows[0]).ok).toBe(true);
    // keys in sorted order, so canonical JSON writes the record as it is (no sorted copy)
    const keys = Object.keys(out.windows[0] ?? {});
    expect(keys).toEqual([...keys].sort());
    expect(out.accounting).toMatchObject({ messages: 4, readings: 4, counted: 4, windows: 1 });
    expect(processor.nextOffset).toBe(4);
  });

  it("keeps a window open until its instrument's own watermark (its highest event time - grace) passes its end", () => {
    const processor = PartitionProcessor.fresh(options());
    const first = processor.processBatch(
      rawMessages([readingJson(piezometer, 1_000, 100), readingJson(piezometer, 14_999, 100)]),
    );
    expect(first.windows).toHaveLength(0);
    const second = processor.processBatch(rawMessages([readingJson(piezometer, 15_000, 100)], 2));
    expect(second.windows.map((w) => w.window_start)).toEqual([iso(0)]);
  });

  it("never lets one instrument's clock close another's windows, or make its readings late", () => {
    const processor = PartitionProcessor.fresh(options());
    const out = processor.processBatch(
      rawMessages([
        readingJson(piezometer, 1_000, 100),
        readingJson(settlement, 40 * 60_000, -5), // a clock 40 min fast
        readingJson(piezometer, 2_000, 110), // still counted in its own [0, 10 000)
        readingJson(piezometer, 15_000, 100), // its own watermark closes [0, 10 000)
      ]),
    );
    expect(out.deadLetters).toEqual([]);
    expect(out.windows.map((w) => [w.instrument, w.window_start, w.reading_count])).toEqual([
      ['piezometer', iso(0), 2],
    ]);
  });

  it('counts out-of-order readings within grace and dead-letters later ones as late with their bytes', () => {
    const processor = PartitionProcessor.fresh(options());
    const lateReading = readingJson(piezometer, 9_000, 999);
    const messages = rawMessages([
      readingJson(piezometer, 5_000, 100),
      readingJson(piezometer, 12_000, 100),
      readingJson(piezometer, 4_000, 200), // out of order, within grace: counted in [0, 10 000)
      readingJson(piezometer, 16_000, 100), // watermark 11 000 closes [0, 10 000)
      lateReading,
    ]);
    const out = processor.processBatch(messages);
    expect(out.windows[0]).toMatchObject({ reading_count: 2, reading_mean: 150 });
    expect(out.deadLetters).toHaveLength(1);
    const deadLetter = defined(out.deadLetters[0], 'the dead letter');
    const lateMessage = defined(messages[4], 'message 4');
    expect(deadLetter).toMatchObject({
      id: 'raw:3:4:late',
      reason: 'late',
      source: { topic: 'raw', partition: 3, offset: '4', key: null },
      item_index: null,
      payload_utf8: JSON.stringify(lateReading),
      dead_lettered_at: new Date(Number(lateMessage.timestamp)).toISOString(),
    });
    expect(Buffer.from(deadLetter.payload_base64, 'base64')).toEqual(lateMessage.value);
    expect(out.accounting).toMatchObject({ readings: 5, counted: 4, deadLettered: { late: 1 } });
    expect(isBalanced(out.accounting)).toBe(true);
  });

  it('counts a second reading of an instrument at the same instant as a duplicate, first one wins', () => {
    const processor = PartitionProcessor.fresh(options());
    processor.processBatch(
      rawMessages([
        readingJson(piezometer, 1_000, 100),
        readingJson(piezometer, 1_000, 100),
        readingJson(piezometer, 1_000, 180), // same instant, other value: still the same reading slot
      ]),
    );
    const out = closeAll(processor);
    expect(out.windows[0]).toMatchObject({ reading_count: 1, reading_mean: 100 });
    expect(processor.accounting).toMatchObject({ readings: 3, counted: 1, duplicates: 2 });
  });

  it('takes batch envelopes item by item, dead-lettering bad items and late items as their own bytes', () => {
    const processor = PartitionProcessor.fresh(options());
    processor.processBatch(rawMessages([readingJson(settlement, 30_000, -5)]));
    const items = [
      readingJson(piezometer, 21_000, 100),
      readingJson(piezometer, 22_000, null as never),
      readingJson(settlement, 1_000, -12), // late: the watermark is already 25 000
      readingJson(piezometer, 23_000, 120),
    ];
    // Spaced unlike JSON.stringify, so the item bytes are provably the original ones.
    const itemTexts = items.map((item) => JSON.stringify(item, null, 2));
    const text = `{ "instruments": 4, "units": "mixed", "timezone": "UTC",\n "items": [ ${itemTexts.join(' ,\n  ')} ] }`;
    const out = processor.processBatch(rawMessages([text], 1));
    expect(out.deadLetters.map((d) => [d.id, d.reason, d.item_index, d.path])).toEqual([
      ['raw:3:1:items[1]:null_value', 'null_value', 1, 'items[1].reading'],
      ['raw:3:1:items[2]:late', 'late', 2, 'items[2]'],
    ]);
    expect(defined(out.deadLetters[1], 'dead letter 1').payload_utf8).toBe(itemTexts[2]);
    const final = closeAll(processor);
    expect(final.windows.find((w) => w.instrument === 'piezometer')).toMatchObject({
      reading_count: 2,
      reading_mean: 110,
    });
    expect(processor.accounting).toMatchObject({ readings: 5, counted: 3, messages: 2 });
    expect(isBalanced(processor.accounting)).toBe(true);
  });

  it('dead-letters garbage, tombstones, nulls, empty strings and unknown types with their reason codes', () => {
    const processor = PartitionProcessor.fresh(options());
    const garbage = Uint8Array.from([0xff, 0xfe, 0x00, 0x41]);
    const out = processor.processBatch(
      rawMessages([
        garbage,
        null,
        'not json at all',
        readingJson(piezometer, 1_000, 100, { borehole_number: '  ' }),
        readingJson(piezometer, 1_000, 100, { surface_level: null }),
        readingJson(piezometer, 1_000, 100, { instrument: 'inclinometer' }),
        readingJson(piezometer, 1_000, 100, { timestamp: '2024-01-01T00:00:01' }),
        '[1,2,3]',
      ]),
    );
    expect(out.deadLetters.map((d) => d.reason)).toEqual([
      'not_json',
      'not_json',
      'not_json',
      'empty_string',
      'null_value',
      'unknown_instrument',
      'timestamp_without_zone',
      'not_an_object',
    ]);
    const garbageLetter = defined(out.deadLetters[0], 'dead letter 0');
    expect(Buffer.from(garbageLetter.payload_base64, 'base64')).toEqual(Buffer.from(garbage));
    expect(garbageLetter.payload_utf8).toBeNull();
    expect(out.deadLetters[1]).toMatchObject({ payload_bytes: 0, id: 'raw:3:1:not_json' });
    expect(out.accounting).toMatchObject({ readings: 8, counted: 0 });
    expect(isBalanced(out.accounting)).toBe(true);
  });

  it('dead-letters a reading timestamped far after its record was logged, so the watermark stays sane', () => {
    const processor = PartitionProcessor.fresh(options({ maxEventTimeAheadMs: 3_600_000 }));
    const messages = rawMessages([
      readingJson(piezometer, 1_000, 100),
      readingJson(piezometer, 1_000 + 365 * 86_400_000, 100), // a year ahead: wrong clock
      readingJson(piezometer, 2_000, 110), // still counted: the bad one moved no watermark
    ]);
    const out = processor.processBatch(messages);
    expect(out.deadLetters.map((d) => [d.id, d.reason, d.path])).toEqual([
      ['raw:3:1:invalid_timestamp', 'invalid_timestamp', 'timestamp'],
    ]);
    expect(defined(out.deadLetters[0], 'dead letter 0').message).toContain(
      'after its record was written to Kafka',
    );
    expect(out.accounting).toMatchObject({ readings: 3, counted: 2 });
    expect(isBalanced(out.accounting)).toBe(true);
  });

  it('sets each window’s trigger level and raises and clears alerts with ids derived from the window', () => {
    const processor = PartitionProcessor.fresh(options());
    const out = processor.processBatch(
      rawMessages([
        readingJson(piezometer, 1_000, 200),
        readingJson(piezometer, 11_000, 310), // alarm (300)
        readingJson(piezometer, 21_000, 260), // alert (250): a clear from alarm to alert
        readingJson(piezometer, 31_000, 100),
        readingJson(piezometer, 50_000, 100),
      ]),
    );
    expect(out.windows.map((w) => w.trigger_level)).toEqual(['none', 'alarm', 'alert', 'none']);
    expect(out.alerts.map((a) => a.id)).toEqual([
      `piezometer:PZ-1:${iso(10_000)}:rising:raise:alarm`,
      `piezometer:PZ-1:${iso(20_000)}:rising:clear:alert`,
      `piezometer:PZ-1:${iso(30_000)}:rising:clear:none`,
    ]);
    expect(out.alerts[0]).toMatchObject({ occurred_at: iso(20_000), value: 310, threshold: 300 });
  });

  it('keeps the alert state of instruments at a level in its checkpoint, and forgets quiet ones', () => {
    const processor = PartitionProcessor.fresh(options());
    processor.processBatch(
      rawMessages([readingJson(piezometer, 1_000, 310), readingJson(piezometer, 16_000, 100)]),
    );
    const alertOf = (write: ReturnType<PartitionProcessor['checkpoint']>) =>
      write.upserts.map((u) => [
        u.key,
        (decodeInstrumentRow(u.key, u.state).alert as InstrumentAlertState | null)?.rising.level ??
          null,
      ]);
    expect(alertOf(processor.checkpoint())).toEqual([['piezometer:PZ-1', 'alarm']]);
    processor.processBatch(rawMessages([readingJson(piezometer, 31_000, 100)], 2));
    expect(alertOf(processor.checkpoint())).toEqual([['piezometer:PZ-1', null]]); // cleared
    // A month later in the log: its windows closed, it is forgotten, and so is its row.
    closeAll(processor);
    expect(processor.checkpoint()).toMatchObject({ upserts: [], deletes: ['piezometer:PZ-1'] });
  });

  it('checkpoints only the instruments that changed since the last checkpoint', () => {
    const processor = PartitionProcessor.fresh(options());
    processor.processBatch(
      rawMessages([readingJson(piezometer, 1_000, 100), readingJson(settlement, 1_000, -5)]),
    );
    const store = new CheckpointStore().checkpoint(processor);
    expect(store.instrumentRows).toBe(2);
    processor.processBatch(rawMessages([readingJson(piezometer, 2_000, 101)], 2));
    const next = processor.checkpoint();
    expect(next.upserts.map((u) => u.key)).toEqual(['piezometer:PZ-1']);
    expect(next.deletes).toEqual([]);
    expect(next.header).toMatchObject({ version: 4, nextOffset: 3 });
  });

  it('reports an instrument whose clock runs ahead or behind, on the windows it closes', () => {
    const processor = PartitionProcessor.fresh(options({ clockToleranceMs: 300_000 }));
    // Each record is in the log at T0 + 1 000 000 + offset (test messages): a reading stamped
    // an hour later is an hour ahead; one stamped near T0 about 17 min behind.
    const out = processor.processBatch(
      rawMessages([
        readingJson(piezometer, 1_000_000 + 3_600_000, 100),
        readingJson(piezometer, 1_000_000 + 3_615_000, 100),
        readingJson(settlement, 1_000, -5),
        readingJson(settlement, 16_000, -5),
        readingJson(extensometer, 1_000_000, 5),
        readingJson(extensometer, 1_015_000, 5),
      ]),
    );
    expect(out.windows.map((w, i) => [w.instrument, out.windowClocks[i]?.status])).toEqual([
      ['piezometer', 'ahead'],
      ['settlement_marker', 'behind'],
      ['extensometer', 'ok'],
    ]);
    // The smallest delay: the second reading, 3 615 000 ms ahead of a record logged 1 ms later.
    expect(out.windowClocks[0]?.offsetMs).toBe(3_614_999);
    expect(processor.skewedClocks).toEqual({ ahead: 1, behind: 1 });
  });

  it('judges no clock behind while every reading of the partition arrives late (a catch-up)', () => {
    // Every record is logged about 16 min after its reading, as after the producer's outage:
    // late delivery, not slow clocks. No instrument is called behind, no clock_skew is raised.
    const processor = PartitionProcessor.fresh(options({ clockToleranceMs: 300_000 }));
    const out = processor.processBatch(
      rawMessages([
        readingJson(piezometer, 1_000, 100),
        readingJson(settlement, 1_000, -5),
        readingJson(piezometer, 16_000, 100),
        readingJson(settlement, 16_000, -5),
      ]),
    );
    expect(out.windowClocks.map((c) => c.status)).toEqual(['ok', 'ok']);
    expect(out.windowClocks[0]?.offsetMs).toBeLessThan(-300_000);
    expect(out.alerts.filter((a) => a.condition === 'clock_skew')).toEqual([]);
    expect(processor.skewedClocks).toEqual({ ahead: 0, behind: 0 });
  });

  it('keeps a clock judged behind while live behind through a catch-up, and the floor across a restore', () => {
    const live = options({ clockToleranceMs: 300_000 });
    const processor = PartitionProcessor.fresh(live);
    // Live: the extensometer's readings arrive at once, the settlement marker's 16 min late.
    const first = processor.processBatch(
      rawMessages([
        readingJson(settlement, 1_000, -5),
        readingJson(extensometer, 1_000_000, 5),
        readingJson(settlement, 16_000, -5),
        readingJson(extensometer, 1_015_000, 5),
      ]),
    );
    expect(first.windowClocks.map((c) => c.status)).toEqual(['behind', 'ok']);
    // Then 16 min of log time later, only late readings: a catch-up.
    const store = new CheckpointStore().checkpoint(processor);
    const restored = PartitionProcessor.restore(live, store.stored());
    const catchUp = [
      readingJson(settlement, 1_000_000, -5),
      readingJson(piezometer, 1_000_000, 100),
      readingJson(settlement, 1_015_000, -5),
      readingJson(piezometer, 1_015_000, 100),
    ];
    const straight = processor.processBatch(rawMessages(catchUp, 1_000_000));
    const afterRestore = restored.processBatch(rawMessages(catchUp, 1_000_000));
    // (The extensometer's window closes too, quiet since its last reading.)
    const clocks = straight.windows.map((w, i) => [w.instrument, straight.windowClocks[i]?.status]);
    const distinct = new Set(clocks.map((pair) => pair.join(' ')));
    expect([...distinct].filter((pair) => !pair.startsWith('extensometer')).sort()).toEqual([
      'piezometer ok',
      'settlement_marker behind',
    ]);
    expect(afterRestore.windowClocks).toEqual(straight.windowClocks);
    expect(afterRestore.alerts).toEqual(straight.alerts);
  });

  it('drops a forgotten instrument from the clock-skew gauge', () => {
    const processor = PartitionProcessor.fresh(
      options({ clockToleranceMs: 300_000, keyRetentionMs: 60_000 }),
    );
    processor.processBatch(
      rawMessages([
        readingJson(piezometer, 1_000_000 + 3_600_000, 100),
        readingJson(piezometer, 1_000_000 + 3_615_000, 100),
        readingJson(extensometer, 1_000_000, 5),
      ]),
    );
    expect(processor.skewedClocks).toEqual({ ahead: 1, behind: 0 });
    // Ten minutes of log time later, only the extensometer: the piezometer is forgotten.
    processor.processBatch(rawMessages([readingJson(extensometer, 1_600_000, 5)], 600_000));
    processor.checkpoint();
    expect(processor.skewedClocks).toEqual({ ahead: 0, behind: 0 });
  });

  it('reads a checkpoint written before the delivery floor existed', () => {
    const processor = PartitionProcessor.fresh(options());
    processor.processBatch(rawMessages([readingJson(piezometer, 1_000, 100)]));
    const stored = new CheckpointStore().checkpoint(processor).stored();
    const { deliveryFloor, ...older } = stored.state as Record<string, unknown>;
    expect(deliveryFloor).toEqual({ delayMs: 999_000, logTimeMs: T0 + 1_000_000 });
    expect(() => PartitionProcessor.restore(options(), { ...stored, state: older })).not.toThrow();
    expect(() =>
      PartitionProcessor.restore(options(), { ...stored, state: { ...older, deliveryFloor: 'x' } }),
    ).toThrow(/deliveryFloor/);
  });

  it('resolves standpipe levels relative to the latest reading’s surface level, from a site config', () => {
    const config = {
      version: 1,
      defaults: {
        water_standpipe: {
          relative_to: 'surface_level',
          rising: { alert: -3, alarm: -2, action: -1 },
        },
      },
    } as never;
    const processor = PartitionProcessor.fresh(options({ siteConfig: config }));
    processor.processBatch(rawMessages([readingJson(standpipe, 1_000, 77.5)])); // alarm at 79.45 - 2
    expect(defined(closeAll(processor).windows[0], 'the flushed window').trigger_level).toBe(
      'alarm',
    );
  });

  it('skips records below its next offset and resumes past trailing transaction markers', () => {
    const processor = PartitionProcessor.fresh(options(), 10);
    const messages = rawMessages(
      [readingJson(piezometer, 1_000, 1), readingJson(piezometer, 2_000, 2)],
      9,
    );
    const out = processor.processBatch(messages, 13); // offset 11 and 12 were markers
    expect(out.skipped).toBe(1);
    expect(out.accounting.readings).toBe(1);
    expect(processor.nextOffset).toBe(13);
  });

  it('on an idle advance closes the windows of instruments gone quiet; later readings for them are late', () => {
    const processor = PartitionProcessor.fresh(options());
    // Each instrument waits for its window's end + grace + its own delay: the piezometer's
    // reading (at 1 000) was logged at 1 000 000, 999 000 late: quiet at 10 000 + 5 000 +
    // 999 000 = 1 014 000; the extensometer's (at 12 000, logged at 1 000 001) at
    // 20 000 + 5 000 + 988 001 = 1 013 001.
    processor.processBatch(
      rawMessages([readingJson(piezometer, 1_000, 100), readingJson(extensometer, 12_000, 5)]),
    );
    expect(processor.advanceLogTime(T0 + 1_013_000).windows).toEqual([]);
    const advanced = processor.advanceLogTime(T0 + 1_013_001);
    expect(advanced.windows.map((w) => w.id)).toEqual([`extensometer:EX:7:${iso(10_000)}`]);
    expect(advanced.accounting.flushes).toBe(1);
    expect(processor.openWindows).toBe(1); // the piezometer's [0, 10 000) waits on
    const after = processor.processBatch(rawMessages([readingJson(extensometer, 15_000, 1)], 2));
    expect(defined(after.deadLetters[0], 'dead letter 0').message).toContain('window_quiet');
    expect(processor.advanceLogTime(T0 + 1_014_000).windows.map((w) => w.instrument)).toEqual([
      'piezometer',
    ]);
  });

  it('counts a hopping reading that missed only its older windows, and records it as partially late', () => {
    const processor = PartitionProcessor.fresh(
      options({ spec: hoppingWindows({ sizeMs: 10_000, advanceMs: 5_000, graceMs: 0 }) }),
    );
    const out = processor.processBatch(
      rawMessages([
        readingJson(piezometer, 1_000, 1),
        readingJson(piezometer, 10_000, 1),
        readingJson(piezometer, 9_000, 3),
      ]),
    );
    expect(out.deadLetters).toHaveLength(0);
    expect(out.accounting).toMatchObject({ counted: 3, partiallyLate: 1 });
  });

  it('continues from a JSON checkpoint exactly as if it had never stopped', () => {
    const messages = rawMessages(
      Array.from({ length: 40 }, (_, i) =>
        readingJson(defined(INSTRUMENTS[i % 3], `test instrument ${i % 3}`), i * 1_300, i * 7),
      ),
    );
    const straight = PartitionProcessor.fresh(options());
    const expected = straight.processBatch(messages);
    const first = PartitionProcessor.fresh(options());
    const store = new CheckpointStore();
    const a = first.processBatch(messages.slice(0, 9));
    store.checkpoint(first); // a full checkpoint, then an incremental one
    const a2 = first.processBatch(messages.slice(9, 17));
    store.checkpoint(first);
    const restored = PartitionProcessor.restore(options(), store.stored());
    const b = restored.processBatch(messages.slice(17));
    expect([...a.windows, ...a2.windows, ...b.windows]).toEqual(expected.windows);
    expect([...a.alerts, ...a2.alerts, ...b.alerts]).toEqual(expected.alerts);
    // Its incremental checkpoints bring the store to what one of the straight run holds.
    expect(store.checkpoint(restored).stored()).toEqual(
      new CheckpointStore().checkpoint(straight).stored(),
    );
  });

  it('refuses a checkpoint of another partition, or one written with other window settings', () => {
    const stored = new CheckpointStore().checkpoint(PartitionProcessor.fresh(options())).stored();
    const header = stored.state as Record<string, unknown>;
    expect(() => PartitionProcessor.restore(options({ partition: 4 }), stored)).toThrow(
      expect.objectContaining({ code: 'CHECKPOINT_MISMATCH' }),
    );
    expect(() =>
      PartitionProcessor.restore(
        options({ spec: tumblingWindows({ sizeMs: 5_000, graceMs: 5_000 }) }),
        stored,
      ),
    ).toThrow(expect.objectContaining({ code: 'CHECKPOINT_INCOMPATIBLE' }));
    expect(() =>
      PartitionProcessor.restore(options(), { ...stored, state: { ...header, version: 5 } }),
    ).toThrow(expect.objectContaining({ code: 'CHECKPOINT_INVALID' }));
    expect(() =>
      PartitionProcessor.restore(options(), { ...stored, state: { ...header, aggregator: 1 } }),
    ).toThrow(expect.objectContaining({ code: 'CHECKPOINT_INVALID' }));
    expect(() =>
      PartitionProcessor.restore(options(), {
        ...stored,
        instruments: [
          { key: 'piezometer:PZ-1', state: { aggregator: { key: 'other' }, alert: null } },
        ],
      }),
    ).toThrow(expect.objectContaining({ code: 'CHECKPOINT_INVALID' }));
    // Compact rows (version 3) of the wrong shape: too few parts, a window's sum not a number.
    const compact = new CheckpointStore()
      .checkpoint(withReadings([readingJson(piezometer, 1_000, 100)]))
      .stored();
    const row = compact.instruments[0]?.state as unknown[];
    const withRow = (state: unknown) =>
      PartitionProcessor.restore(options(), {
        ...compact,
        instruments: [{ key: 'piezometer:PZ-1', state }],
      });
    expect(() => withRow(row)).not.toThrow();
    expect(() => withRow(row.slice(1))).toThrow(
      expect.objectContaining({
        code: 'CHECKPOINT_INVALID',
        message: expect.stringMatching(/PZ-1/),
      }),
    );
    const badSum = structuredClone(row) as [[unknown, ...unknown[]], ...unknown[]];
    ((badSum[0][7] as unknown[])[0] as unknown[])[3] = null;
    expect(() => withRow(badSum)).toThrow(expect.objectContaining({ code: 'CHECKPOINT_INVALID' }));
  });

  it('reads a version-2 checkpoint (rows with field names) and rewrites every instrument compactly', () => {
    const withAlarms = options({ alarmRules: alarmRulesFromSiteConfig(undefined) });
    const messages = rawMessages(
      Array.from({ length: 40 }, (_, i) =>
        // The fourth instrument reads only before the restart: its row is rewritten unchanged.
        readingJson(defined(INSTRUMENTS[i < 17 ? i % 4 : i % 3], 'instrument'), i * 1_300, i * 7),
      ),
    );
    const straight = PartitionProcessor.fresh(withAlarms);
    const expected = straight.processBatch(messages);
    const first = PartitionProcessor.fresh(withAlarms);
    const a = first.processBatch(messages.slice(0, 17));
    const v3 = new CheckpointStore().checkpoint(first).stored();
    // As the previous release wrote it: the same parts with their field names.
    const v2 = {
      state: { ...(v3.state as Record<string, unknown>), version: 2 },
      instruments: v3.instruments.map(({ key, state }) => ({
        key,
        state: JSON.parse(JSON.stringify(decodeInstrumentRow(key, state))) as unknown,
      })),
    };
    expect(v2.instruments.map((row) => Object.keys(row.state as object))).toEqual(
      Array(4).fill(['aggregator', 'alert', 'alarms']),
    );
    const alarms = v2.instruments.map(
      (row) => (row.state as { alarms: Record<string, unknown> }).alarms,
    );
    expect(
      alarms.filter((a) => a['rate'] !== null && a['silence'] !== null).length,
    ).toBeGreaterThanOrEqual(3);
    const restored = PartitionProcessor.restore(withAlarms, v2);
    const b = restored.processBatch(messages.slice(17));
    expect([...a.windows, ...b.windows]).toEqual(expected.windows);
    expect([...a.alerts, ...b.alerts]).toEqual(expected.alerts);
    const rewrite = restored.checkpoint();
    expect(rewrite.header.version).toBe(4);
    expect(rewrite.upserts.map((u) => u.key)).toEqual(v3.instruments.map((row) => row.key));
    // That one checkpoint holds every instrument, as the straight run's first one does.
    const store = new CheckpointStore();
    store.write(rewrite);
    expect(store.stored()).toEqual(new CheckpointStore().checkpoint(straight).stored());
  });

  it('reads a version-1 checkpoint (the whole state in one row) and rewrites every instrument', () => {
    // As the previous release wrote it: one watermark per partition (16 000 - 5 000 = 11 000).
    const v1 = {
      format: 'geostream.stream-processor.partition',
      version: 1,
      topic: 'raw',
      partition: 3,
      nextOffset: 2,
      aggregator: {
        format: 'geostream.windowed-aggregator.partition',
        version: 1,
        partition: 3,
        spec: tumblingWindows({ sizeMs: 10_000, graceMs: 5_000 }),
        nextOffset: 2,
        maxEventTimeMs: T0 + 16_000,
        advancedToMs: null,
        counters: {
          recordsIn: 2,
          aggregated: 2,
          duplicates: 0,
          late: 0,
          replayed: 0,
          windowsEmitted: 1,
          windowsEvicted: 0,
        },
        keys: [
          {
            key: 'piezometer:PZ-1',
            closedUntilMs: null,
            eventTimes: [T0 + 16_000],
            windows: [
              {
                startMs: T0 + 10_000,
                endMs: T0 + 20_000,
                count: 1,
                sum: 310,
                compensation: 0,
                min: 310,
                max: 310,
                firstEventTimeMs: T0 + 16_000,
                lastEventTimeMs: T0 + 16_000,
                latestMeta: [42.5, 5812000, 320000, 1, null],
                latestOffset: 1,
                minOffset: 1,
                maxOffset: 1,
              },
            ],
          },
        ],
      },
      alerts: {
        'settlement_marker:SM-1': {
          schema_version: 1,
          last_window_start: iso(0),
          rising: { level: 'none', pending_level: null, pending_count: 0 },
          falling: { level: 'alert', pending_level: null, pending_count: 0 },
        },
      },
      accounting: {
        messages: 2,
        readings: 2,
        counted: 2,
        duplicates: 0,
        deadLettered: {},
        partiallyLate: 0,
        windows: 1,
        alerts: 1,
        flushes: 0,
      },
    };
    const processor = PartitionProcessor.restore(options(), { state: v1, instruments: [] });
    expect(processor.nextOffset).toBe(2);
    const rewrite = processor.checkpoint();
    expect(rewrite.header.version).toBe(4);
    expect(
      rewrite.upserts.map((u) => {
        const parts = decodeInstrumentRow(u.key, u.state);
        return [u.key, parts.aggregator !== null, parts.alert !== null];
      }),
    ).toEqual([
      ['piezometer:PZ-1', true, false],
      ['settlement_marker:SM-1', false, true],
    ]);
    // What the old watermark had emitted stays emitted, for every instrument.
    const out = processor.processBatch(
      rawMessages([readingJson(settlement, 9_000, -5), readingJson(piezometer, 17_000, 300)], 2),
    );
    expect(out.deadLetters.map((d) => d.reason)).toEqual(['late']);
    expect(closeAll(processor).windows.map((w) => [w.instrument, w.reading_count])).toEqual([
      ['piezometer', 2],
    ]);
  });
});
