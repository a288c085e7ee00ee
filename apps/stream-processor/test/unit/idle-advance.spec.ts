import fc from 'fast-check';
import { tumblingWindows } from '@geostream/windowed-aggregator';
import {
  idleAdvanceTarget,
  recordsBehindIdleAdvance,
  type IdleAdvanceInput,
} from '../../src/core/idle-advance';
import { PartitionProcessor } from '../../src/core/partition-processor';
import { INSTRUMENTS, T0, rawMessages, readingJson } from '../support/messages';

const IDLE_MS = 15_000;
const NOW = 1_800_000_000_000;

const input = (overrides: Partial<IdleAdvanceInput> = {}): IdleAdvanceInput => ({
  nowMs: NOW,
  idleAdvanceMs: IDLE_MS,
  nextQuietCheckMs: NOW - 3_600_000,
  lastFetchTroubleAtMs: -Infinity,
  ...overrides,
});

describe('idleAdvanceTarget', () => {
  it('moves a caught-up partition to one idle time before now, at once', () => {
    // The partition just read a backlog logged an hour ago.
    expect(idleAdvanceTarget(input())).toBe(NOW - IDLE_MS);
  });

  it('does not advance when the advance would close nothing', () => {
    expect(idleAdvanceTarget(input({ nextQuietCheckMs: undefined }))).toBeUndefined();
    expect(idleAdvanceTarget(input({ nextQuietCheckMs: NOW - IDLE_MS }))).toBe(NOW - IDLE_MS);
    // Due later than one idle time before now: not yet, however long nothing came.
    expect(idleAdvanceTarget(input({ nextQuietCheckMs: NOW - IDLE_MS + 1 }))).toBeUndefined();
  });

  it('does not advance within one idle time of a fetch that failed or hung', () => {
    expect(idleAdvanceTarget(input({ lastFetchTroubleAtMs: NOW - IDLE_MS + 1 }))).toBeUndefined();
    expect(idleAdvanceTarget(input({ lastFetchTroubleAtMs: NOW - IDLE_MS }))).toBe(NOW - IDLE_MS);
  });

  it('never moves the log clock past one idle time before now, nor to a time nothing is due', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 60_000 }),
        fc.option(fc.integer({ min: -7_200_000, max: 60_000 }), { nil: undefined }),
        fc.option(fc.integer({ min: 0, max: 120_000 }), { nil: undefined }),
        (idleAdvanceMs, quietOffset, sinceTrouble) => {
          const target = idleAdvanceTarget({
            nowMs: NOW,
            idleAdvanceMs,
            nextQuietCheckMs: quietOffset === undefined ? undefined : NOW + quietOffset,
            lastFetchTroubleAtMs: sinceTrouble === undefined ? -Infinity : NOW - sinceTrouble,
          });
          const allowed =
            quietOffset !== undefined &&
            NOW + quietOffset <= NOW - idleAdvanceMs &&
            (sinceTrouble === undefined || sinceTrouble >= idleAdvanceMs);
          expect(target).toBe(allowed ? NOW - idleAdvanceMs : undefined);
        },
      ),
    );
  });

  it('closes the last windows of an upload read long after it was logged, without waiting', () => {
    const [piezometer] = INSTRUMENTS as [(typeof INSTRUMENTS)[number]];
    const processor = PartitionProcessor.fresh({
      topic: 'raw',
      partition: 3,
      spec: tumblingWindows({ sizeMs: 10_000, graceMs: 5_000 }),
      siteConfig: undefined,
      clockToleranceMs: 3_600_000,
    });
    // An upload of three readings; the test messages are logged about 17 minutes after them.
    processor.processBatch(
      rawMessages([
        readingJson(piezometer, 1_000, 100),
        readingJson(piezometer, 2_000, 110),
        readingJson(piezometer, 3_000, 120),
      ]),
    );
    // Read a day later, just now: the partition is caught up.
    const now = T0 + 86_400_000;
    const target = idleAdvanceTarget({
      nowMs: now,
      idleAdvanceMs: IDLE_MS,
      nextQuietCheckMs: processor.nextQuietCheckMs,
      lastFetchTroubleAtMs: -Infinity,
    });
    expect(target).toBe(now - IDLE_MS);
    const closed = processor.advanceLogTime(target ?? 0);
    expect(closed.windows.map((w) => [w.reading_count, w.reading_mean])).toEqual([[3, 110]]);
  });
});

describe('recordsBehindIdleAdvance', () => {
  const records = (...times: number[]) => times.map((t) => ({ timestamp: String(t) }));

  it('counts the records logged before the clock the last idle advance set', () => {
    expect(recordsBehindIdleAdvance(records(999, 1_000, 1_001, 5), 1_000)).toBe(2);
  });

  it('counts nothing before any idle advance', () => {
    expect(recordsBehindIdleAdvance(records(0, 1), -Infinity)).toBe(0);
  });
});
