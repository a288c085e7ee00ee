import fc from 'fast-check';
import {
  createWindowedAggregator,
  windowsFor,
  type ClosedWindow,
  type OverflowPolicy,
} from '../../src';
import { apply, closedBy } from '../run';
import { opStream, type Meta } from '../streams';

const limits = fc.record({
  maxOpenWindowsPerPartition: fc.constantFrom(1, 2, 5, 1_000_000),
  onOverflow: fc.constantFrom<OverflowPolicy>('evict-oldest', 'reject-record'),
});

describe('accounting: nothing is lost or counted twice', () => {
  it('puts every record (for hopping: every record-window pair) in exactly one of: an emitted window, the late output, the duplicates', () => {
    fc.assert(
      fc.property(opStream, limits, ({ spec, ops }, options) => {
        const agg = createWindowedAggregator<Meta>({ spec, ...options });
        const emitted: ClosedWindow<Meta>[] = [];
        // For each emitted window, the records that must be in it.
        const expectedMembers = new Map<string, number>();
        const windowId = (p: number, key: string, startMs: number) => `${p}|${key}|${startMs}`;
        const aggregatedSessionRecords: { partition: number; key: string; t: number }[] = [];
        let late = 0;
        let duplicates = 0;

        for (const op of ops) {
          const output = apply(agg, op);
          emitted.push(...closedBy(output));
          if (op.kind !== 'record' || Array.isArray(output)) continue;
          const { record } = op;
          const result = output as Exclude<typeof output, readonly ClosedWindow<Meta>[]>;
          if (result.late) late++;
          if (result.duplicate) duplicates++;
          if (spec.kind === 'session') {
            const outcomes = [result.late !== undefined, result.duplicate].filter(Boolean).length;
            expect(outcomes).toBeLessThanOrEqual(1);
            if (outcomes === 0)
              aggregatedSessionRecords.push({
                partition: record.partition,
                key: record.key,
                t: record.eventTimeMs,
              });
            continue;
          }
          const missed = new Set((result.late?.windows ?? []).map((w) => w.startMs));
          for (const w of windowsFor(spec, record.eventTimeMs)) {
            if (missed.has(w.startMs) || result.duplicate) continue;
            const id = windowId(record.partition, record.key, w.startMs);
            expectedMembers.set(id, (expectedMembers.get(id) ?? 0) + 1);
          }
        }
        emitted.push(...agg.flushAll());

        // Each (partition, key, window) is emitted at most once.
        const ids = emitted.map((w) => windowId(w.partition, w.key, w.windowStartMs));
        expect(new Set(ids).size).toBe(ids.length);
        if (spec.kind === 'session') {
          // Every aggregated record lies in exactly one emitted session of its key, and the
          // sessions hold exactly those records.
          const holders = aggregatedSessionRecords.map(
            (r) =>
              emitted.filter(
                (w) =>
                  w.partition === r.partition &&
                  w.key === r.key &&
                  w.firstEventTimeMs <= r.t &&
                  r.t <= w.lastEventTimeMs,
              ).length,
          );
          expect(holders.every((n) => n === 1)).toBe(true);
          expect(emitted.reduce((n, w) => n + w.count, 0)).toBe(aggregatedSessionRecords.length);
        } else {
          expect(
            new Map(emitted.map((w) => [windowId(w.partition, w.key, w.windowStartMs), w.count])),
          ).toEqual(expectedMembers);
        }

        const total = agg.stats().total;
        const records = ops.filter((op) => op.kind === 'record').length;
        expect(total).toMatchObject({
          recordsIn: records,
          late,
          duplicates,
          openWindows: 0,
          replayed: 0,
        });
        if (spec.kind !== 'hopping')
          expect(total.aggregated + total.late + total.duplicates).toBe(records);
        expect(total.windowsEmitted).toBe(emitted.length);
        expect(total.windowsEvicted).toBe(emitted.filter((w) => w.early).length);
        if (options.onOverflow === 'reject-record') expect(total.windowsEvicted).toBe(0);
      }),
      { numRuns: 300 },
    );
  });
});
