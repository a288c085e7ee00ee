import fc from 'fast-check';
import {
  createWindowedAggregator,
  type ClosedWindow,
  type OverflowPolicy,
  type WindowSpec,
} from '../../src';
import { PerKeyModel, type ModelWindow } from '../../src/testing';
import { opStream, type Meta } from '../streams';

const options = fc.record({
  maxOpenWindowsPerPartition: fc.constantFrom(1, 3, 1_000_000),
  onOverflow: fc.constantFrom<OverflowPolicy>('evict-oldest', 'reject-record'),
  // Small bounds now and then, so clamping and forgetting happen within a short stream.
  maxQuietWaitMs: fc.constantFrom(7 * 86_400_000, 20),
  keyRetentionMs: fc.constantFrom(7 * 86_400_000, 30),
});

const eps = Number.EPSILON / 2;

/** The exact fields of a window, and its sum checked against the exact sum within Neumaier's bound. */
function exactFields(window: ClosedWindow<Meta> | ModelWindow<Meta>) {
  const {
    sum: _sum,
    mean: _mean,
    sumOfMagnitudes: _magnitudes,
    ...exact
  } = window as ClosedWindow<Meta> & Partial<ModelWindow<Meta>>;
  return exact;
}

function expectSameWindows(
  spec: WindowSpec,
  actual: readonly ClosedWindow<Meta>[],
  expected: readonly ModelWindow<Meta>[],
): void {
  expect(actual.map(exactFields)).toEqual(expected.map(exactFields));
  actual.forEach((window, i) => {
    const model = expected[i] as ModelWindow<Meta>;
    const tolerance =
      2 * eps * Math.abs(model.sum) + model.count * eps * eps * model.sumOfMagnitudes;
    expect(Math.abs(window.sum - model.sum)).toBeLessThanOrEqual(tolerance);
  });
  void spec;
}

describe('against a plain model of the per-key time rules', () => {
  it('closes, refuses and counts exactly as the model, op by op, in the same order', () => {
    fc.assert(
      fc.property(opStream, options, ({ spec, ops }, opts) => {
        const agg = createWindowedAggregator<Meta>({ spec, ...opts });
        const model = new PerKeyModel<Meta>({
          spec,
          maxOpenWindows: opts.maxOpenWindowsPerPartition,
          onOverflow: opts.onOverflow,
          maxQuietWaitMs: opts.maxQuietWaitMs,
          keyRetentionMs: opts.keyRetentionMs,
        });
        for (const op of ops) {
          if (op.kind === 'record') {
            const got = agg.add(op.record);
            const want = model.add(op.record);
            expectSameWindows(spec, got.closed, want.closed);
            expect({
              aggregated: got.aggregated,
              duplicate: got.duplicate,
              replayed: got.replayed,
              late: got.late && {
                reason: got.late.reason,
                windows: got.late.windows,
                watermarkMs: got.late.watermarkMs,
              },
            }).toEqual({
              aggregated: want.aggregated,
              duplicate: want.duplicate,
              replayed: want.replayed,
              late: want.late,
            });
          } else if (op.kind === 'advanceLogTime') {
            expectSameWindows(
              spec,
              agg.advanceLogTime(op.partition, op.logTimeMs),
              model.advanceLogTime(op.partition, op.logTimeMs),
            );
          } else {
            expectSameWindows(spec, agg.flushPartition(op.partition), model.flush(op.partition));
          }
          for (const p of [0, 1]) {
            expect(agg.partitionStats(p).openWindows).toBe(model.openWindows(p));
            expect(agg.partitionStats(p).keys).toBe(model.keyCount(p));
          }
        }
      }),
      { numRuns: 400 },
    );
  });
});
