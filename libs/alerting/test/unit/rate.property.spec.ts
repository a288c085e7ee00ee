import fc from 'fast-check';
import { toRateRule, type RateRule } from '@geostream/instrument-schemas';
import {
  MIN_SPAN_FRACTION,
  RATE_BUCKETS,
  evaluateRate,
  readRateState,
  type RateState,
} from '../../src';
import { HOUR_MS, T0, isAlarmEvent, windowAt } from '../support/timeline';

// The bucketed least-squares rate against a naive oracle: every window of the interval kept,
// the weighted line fitted directly (two passes, centred).

const rule: RateRule = toRateRule(
  { direction: 'both', over: '6h', unit: 'mm/h', alert: 1, alarm: 2, action: 4 },
  'settlement_marker',
);
const BUCKET_MS = rule.intervalMs / RATE_BUCKETS; // 30 min

interface Point {
  readonly t: number;
  readonly y: number;
  readonly w: number;
}

/** The oracle: the weighted least-squares slope and span of the points, per hour. */
function naive(points: readonly Point[]): { rate: number | null; span: number } {
  const w = points.reduce((a, p) => a + p.w, 0);
  const tMean = points.reduce((a, p) => a + p.w * p.t, 0) / w;
  const yMean = points.reduce((a, p) => a + p.w * p.y, 0) / w;
  const stt = points.reduce((a, p) => a + p.w * (p.t - tMean) ** 2, 0);
  const sty = points.reduce((a, p) => a + p.w * (p.t - tMean) * (p.y - yMean), 0);
  const span = Math.sqrt((12 * stt) / w);
  const judged = stt > 0 && span >= MIN_SPAN_FRACTION * rule.intervalMs;
  return { rate: judged ? (sty / stt) * HOUR_MS : null, span };
}

// Irregular timelines: gaps from seconds to hours, means of any size, counts 1..30.
const timeline = fc.array(
  fc.record({
    gapMs: fc.oneof(
      fc.integer({ min: 10_000, max: 120_000 }),
      fc.integer({ min: 10_000, max: 3 * HOUR_MS }),
    ),
    mean: fc.oneof(
      fc.double({ min: -1000, max: 1000, noNaN: true }),
      fc.integer({ min: -50, max: 50 }),
    ),
    count: fc.integer({ min: 1, max: 30 }),
  }),
  { minLength: 1, maxLength: 120 },
);

describe('evaluateRate properties', () => {
  it('gives the least-squares rate of exactly the windows in its buckets (naive oracle)', () => {
    let judged = 0;
    fc.assert(
      fc.property(timeline, (steps) => {
        let state: RateState | undefined;
        let t = 0;
        const seen: Point[] = [];
        for (const { gapMs, mean, count } of steps) {
          t += gapMs;
          const result = evaluateRate(state, windowAt(t, mean, { count }), rule);
          state = result.state;
          // The oracle keeps every window and drops those older than the kept buckets.
          const mid = T0 + t + 5_000;
          seen.push({ t: mid, y: mean, w: count });
          const newest = Math.floor(mid / BUCKET_MS);
          const inBuckets = seen.filter((p) => Math.floor(p.t / BUCKET_MS) > newest - RATE_BUCKETS);
          const expected = naive(inBuckets);
          expect(result.spanMs).toBeCloseTo(expected.span, 3);
          // At the span threshold itself rounding may decide either way: skip that knife edge.
          if (Math.abs(expected.span - MIN_SPAN_FRACTION * rule.intervalMs) < 1e-3) continue;
          if (expected.rate === null) {
            expect(result.rate).toBeNull();
          } else {
            judged++;
            const scale = Math.max(1, Math.abs(expected.rate));
            expect(Math.abs((result.rate as number) - expected.rate) / scale).toBeLessThan(1e-9);
          }
          for (const alert of result.alerts) expect(isAlarmEvent(alert)).toBe(true);
          expect(state.buckets.length).toBeLessThanOrEqual(RATE_BUCKETS);
        }
      }),
      { numRuns: 300 },
    );
    expect(judged).toBeGreaterThan(300); // the comparison is not vacuous
  });

  it('gives the same rates and alarms across a JSON checkpoint at any window', () => {
    fc.assert(
      fc.property(timeline, fc.nat(), (steps, cut) => {
        const at = cut % steps.length;
        const outputs = (checkpoint: boolean) => {
          let state: RateState | undefined;
          let t = 0;
          return steps.map(({ gapMs, mean, count }, i) => {
            t += gapMs;
            if (checkpoint && i === at && state)
              state = readRateState(JSON.parse(JSON.stringify(state)), 'settlement_marker');
            const r = evaluateRate(state, windowAt(t, mean, { count }), rule, {
              raiseAfterWindows: 2,
            });
            state = r.state;
            return [r.rate, r.alerts.map((a) => a.id)];
          });
        };
        expect(outputs(true)).toEqual(outputs(false));
      }),
      { numRuns: 200 },
    );
  });
});
