import fc from 'fast-check';
import {
  createWindowedAggregator,
  type OverflowPolicy,
  type WindowedAggregator,
  type WindowSpec,
} from '../../src';
import { apply, viaJson, type OpOutput } from '../run';
import { opStream, type Meta, type Op } from '../streams';

const limits = fc.record({
  maxOpenWindowsPerPartition: fc.constantFrom(1, 3, 1_000_000),
  onOverflow: fc.constantFrom<OverflowPolicy>('evict-oldest', 'reject-record'),
});
type Limits = { maxOpenWindowsPerPartition: number; onOverflow: OverflowPolicy };

const create = (spec: WindowSpec, options: Limits): WindowedAggregator<Meta> =>
  createWindowedAggregator<Meta>({ spec, ...options });

function run(agg: WindowedAggregator<Meta>, ops: readonly Op[]): OpOutput[] {
  return ops.map((op) => apply(agg, op));
}

/** An uninterrupted run: outputs of every op, then of a final flush, then the final snapshot. */
function uninterrupted(spec: WindowSpec, options: Limits, ops: readonly Op[]) {
  const agg = create(spec, options);
  const outputs = run(agg, ops);
  return { outputs: viaJson(outputs), flushed: viaJson(agg.flushAll()), stats: agg.stats() };
}

/** Cut points anywhere, and half the time right after an explicit advance or flush. */
const cutsAndOps = fc
  .tuple(opStream, limits, fc.nat(), fc.boolean(), fc.boolean())
  .map(([{ spec, ops }, options, at, perPartition, afterExplicit]) => {
    const explicit = ops.flatMap((op, i) => (op.kind === 'record' ? [] : [i + 1]));
    const cut =
      afterExplicit && explicit.length > 0
        ? (explicit[at % explicit.length] ?? 0)
        : at % (ops.length + 1);
    return { spec, ops, options, cut, perPartition };
  });

describe('determinism: snapshot, restore and replay change nothing', () => {
  it('a run cut anywhere (after a flush or advance too) and restored from JSON matches the uninterrupted run', () => {
    fc.assert(
      fc.property(cutsAndOps, ({ spec, ops, options, cut, perPartition }) => {
        const expected = uninterrupted(spec, options, ops);

        const before = create(spec, options);
        const head = run(before, ops.slice(0, cut));
        const after = create(spec, options);
        if (perPartition) {
          for (const p of before.partitions())
            after.restorePartition(p, viaJson(before.snapshotPartition(p)));
        } else {
          after.restore(viaJson(before.snapshot()));
        }
        const tail = run(after, ops.slice(cut));

        expect(viaJson([...head, ...tail])).toEqual(expected.outputs);
        expect(viaJson(after.flushAll())).toEqual(expected.flushed);
        expect(after.stats()).toEqual(expected.stats);
      }),
      { numRuns: 300 },
    );
  });

  it('replaying a partition from its safe offset after a restore skips what the snapshot holds', () => {
    fc.assert(
      fc.property(cutsAndOps, ({ spec, ops, options, cut }) => {
        const expected = uninterrupted(spec, options, ops);

        const before = create(spec, options);
        const head = run(before, ops.slice(0, cut));
        const snapshot = viaJson(before.snapshot());
        const safe = new Map(before.partitions().map((p) => [p, before.safeOffset(p) ?? 0]));

        const after = create(spec, options);
        after.restore(snapshot);
        // Redeliver, as Kafka would from the committed (safe) offsets: all are recognised.
        for (const op of ops.slice(0, cut))
          if (
            op.kind === 'record' &&
            op.record.offset >= (safe.get(op.record.partition) ?? Infinity)
          )
            expect(after.add(op.record)).toMatchObject({
              replayed: true,
              closed: [],
              late: undefined,
            });
        const tail = run(after, ops.slice(cut));

        expect(viaJson([...head, ...tail])).toEqual(expected.outputs);
        expect(viaJson(after.flushAll())).toEqual(expected.flushed);
      }),
      { numRuns: 200 },
    );
  });

  it('writes the same snapshot after a restore and continuation as the uninterrupted run', () => {
    fc.assert(
      fc.property(cutsAndOps, ({ spec, ops, options, cut }) => {
        const straight = create(spec, options);
        run(straight, ops);
        const before = create(spec, options);
        run(before, ops.slice(0, cut));
        const after = create(spec, options);
        after.restore(viaJson(before.snapshot()));
        run(after, ops.slice(cut));
        expect(viaJson(after.snapshot())).toEqual(viaJson(straight.snapshot()));
      }),
      { numRuns: 200 },
    );
  });
});
