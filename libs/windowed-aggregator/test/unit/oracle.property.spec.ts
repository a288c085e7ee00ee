import fc from 'fast-check';
import { createWindowedAggregator, type ClosedWindow } from '../../src';
import { byWindowIdentity, oracleWindows } from '../oracle';
import { inGraceStream, type Meta } from '../streams';

describe('against a naive oracle (group by key and window, then aggregate)', () => {
  it('emits exactly the oracle windows for any stream shuffled within the grace period', () => {
    fc.assert(
      fc.property(inGraceStream, ({ spec, records }) => {
        const agg = createWindowedAggregator<Meta>({ spec });
        const emitted: ClosedWindow<Meta>[] = [];
        let duplicates = 0;
        for (const record of records) {
          const result = agg.add(record);
          expect(result.late).toBeUndefined();
          if (result.duplicate) duplicates++;
          emitted.push(...result.closed);
        }
        emitted.push(...agg.flushAll());

        const expected = oracleWindows(spec, records).sort(byWindowIdentity);
        const actual = [...emitted].sort(byWindowIdentity);
        expect(
          actual.map(
            ({ sum: _s, mean: _m, closedBy: _c, early: _e, arrival: _a, ...exact }) => exact,
          ),
        ).toEqual(expected.map(({ sum: _s, sumOfMagnitudes: _a, ...exact }) => exact));
        actual.forEach((window, i) => {
          const oracle = expected[i];
          if (oracle === undefined) throw new Error('fewer oracle windows');
          // Neumaier's bound: 2 eps |sum| + n eps^2 sum|x|; a plain running sum has n eps sum|x|.
          const eps = Number.EPSILON / 2;
          const tolerance =
            2 * eps * Math.abs(oracle.sum) + oracle.count * eps * eps * oracle.sumOfMagnitudes;
          expect(Math.abs(window.sum - oracle.sum)).toBeLessThanOrEqual(tolerance);
          const mean = oracle.sum / oracle.count;
          expect(Math.abs(window.mean - mean)).toBeLessThanOrEqual(
            tolerance / oracle.count + eps * Math.abs(mean),
          );
          expect(window.early).toBe(false);
        });
        const distinct = new Set(records.map((r) => `${r.partition}|${r.key}|${r.eventTimeMs}`))
          .size;
        expect(duplicates).toBe(records.length - distinct);
      }),
      { numRuns: 300 },
    );
  });
});
