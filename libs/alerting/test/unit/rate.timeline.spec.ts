import { resolveRateRule, toRateRule, type RateRule } from '@geostream/instrument-schemas';
import {
  canForgetRateState,
  evaluateRate,
  readRateState,
  type AlertingOptions,
  type RateEvaluation,
  type RateState,
} from '../../src';
import fc from 'fast-check';
import { DAY_MS, HOUR_MS, isAlarmEvent, windowAt } from '../support/timeline';

// Timelines of one settlement marker (falling over 24 h: alert 1, alarm 2, action 5 mm/day,
// the library default) read by a logger every 15 minutes: one 10 s window per reading.

const settlement = resolveRateRule(undefined, 'settlement_marker', 'SM-1') as RateRule;
const QUARTER_HOUR = 15 * 60_000;

interface Sample {
  readonly atMs: number;
  readonly mean: number;
}

/** `value(t)` sampled every `everyMs` from 0 until `untilMs`, skipping times `skip` says. */
function series(
  value: (tMs: number) => number,
  untilMs: number,
  everyMs = QUARTER_HOUR,
  skip: (tMs: number) => boolean = () => false,
): Sample[] {
  const samples: Sample[] = [];
  for (let t = 0; t <= untilMs; t += everyMs)
    if (!skip(t)) samples.push({ atMs: t, mean: value(t) });
  return samples;
}

interface Run {
  /** 'hours:direction:kind:from->to', hours since T0 with two decimals. */
  readonly events: string[];
  readonly results: RateEvaluation[];
  readonly state: RateState | undefined;
}

function run(
  samples: readonly Sample[],
  rule: RateRule | undefined = settlement,
  options: AlertingOptions = {},
  instrument: 'settlement_marker' | 'extensometer' = 'settlement_marker',
): Run {
  let state: RateState | undefined;
  const events: string[] = [];
  const results: RateEvaluation[] = [];
  for (const { atMs, mean } of samples) {
    const result = evaluateRate(state, windowAt(atMs, mean, { instrument }), rule, options);
    state = result.state;
    results.push(result);
    for (const e of result.alerts) {
      expect(isAlarmEvent(e)).toBe(true);
      events.push(
        `${(atMs / HOUR_MS).toFixed(2)}:${e.direction}:${e.kind}:${e.from_level}->${e.to_level}`,
      );
    }
  }
  return { events, results, state };
}

const lastRate = (r: Run) => r.results[r.results.length - 1]?.rate;

describe('rate of change: timelines', () => {
  it('steady settlement under the limit raises nothing, and its rate is measured exactly', () => {
    const steady = run(series((t) => -0.5 * (t / DAY_MS), 3 * DAY_MS));
    expect(steady.events).toEqual([]);
    expect(lastRate(steady)).toBeCloseTo(-0.5, 9);
  });

  it('judges no rate until the windows span half the interval', () => {
    const first = run(series((t) => -10 * (t / DAY_MS), 11.5 * HOUR_MS));
    expect(first.results.every((r) => r.rate === null)).toBe(true);
    expect(first.events).toEqual([]);
    const later = run(series((t) => -10 * (t / DAY_MS), 12.25 * HOUR_MS));
    expect(lastRate(later)).toBeCloseTo(-10, 9);
    expect(later.events).toEqual(['12.00:falling:raise:none->action']);
  });

  it('accelerating settlement raises alert, alarm, action in turn, half an interval behind the true rate', () => {
    // s(t) = -t²/2 mm with t in days: the true rate is -t mm/day. A least-squares line over the
    // last 22-24 h has the slope of the parabola at the middle of that span, 11-12 h ago.
    const accelerating = run(series((t) => -((t / DAY_MS) ** 2) / 2, 6 * DAY_MS));
    const raisedAt = accelerating.events.map((e) => Number(e.split(':')[0]));
    expect(accelerating.events.map((e) => e.slice(e.indexOf(':') + 1))).toEqual([
      'falling:raise:none->alert',
      'falling:raise:alert->alarm',
      'falling:raise:alarm->action',
    ]);
    // |rate| reaches 1, 2 and 5 mm/day at 24, 48 and 120 h; judged 11-12 h later (the last
    // quarter hour is the sampling).
    const lags = raisedAt.map((hours, i) => hours - ([24, 48, 120][i] as number));
    for (const lag of lags) {
      expect(lag).toBeGreaterThanOrEqual(11);
      expect(lag).toBeLessThanOrEqual(12.25);
    }
  });

  it('noise and one wild window do not raise, where first/last over the interval would', () => {
    // ±0.5 mm of reading noise, the same on every run.
    const noise = fc.sample(fc.double({ min: -0.5, max: 0.5, noNaN: true }), {
      seed: 7,
      numRuns: 400,
    });
    const noisy = series(
      (t) => -0.5 * (t / DAY_MS) + (noise[t / QUARTER_HOUR] as number),
      3 * DAY_MS,
    );
    // The last reading is a wild one, 5 mm low (a knocked prism, a bad reflection).
    const wild = noisy.map((s, i) => (i === noisy.length - 1 ? { ...s, mean: s.mean - 5 } : s));
    const result = run(wild);
    expect(result.events).toEqual([]);
    expect(lastRate(result)).toBeGreaterThan(-1);
    // First/last over the same 24 h: the difference of two readings, one of them the wild one.
    const dayAgo = wild.find((s) => s.atMs === (wild.at(-1) as Sample).atMs - DAY_MS) as Sample;
    expect((wild.at(-1) as Sample).mean - dayAgo.mean).toBeLessThan(-5); // would raise action
  });

  it('judges across a gap from the data on both sides of it', () => {
    // -3 mm/day for two days, then the logger is off for 20 h and reads flat when back: the
    // last 24 h hold 4 h of falling readings and the new flat one, which the line through them
    // shows: the settlement stopped.
    const before = series((t) => -3 * (t / DAY_MS), 2 * DAY_MS);
    const after = series(() => -6, DAY_MS).map((s) => ({ ...s, atMs: s.atMs + 68 * HOUR_MS }));
    expect(run([...before, ...after]).events).toEqual([
      '12.00:falling:raise:none->alarm',
      '68.00:falling:clear:alarm->none',
    ]);

    // A 10 h gap inside a steady series: nothing changes.
    const gapped = run(
      series(
        (t) => -0.5 * (t / DAY_MS),
        3 * DAY_MS,
        QUARTER_HOUR,
        (t) => t > 30 * HOUR_MS && t < 40 * HOUR_MS,
      ),
    );
    expect(gapped.events).toEqual([]);
    expect(lastRate(gapped)).toBeCloseTo(-0.5, 9);
  });

  it('holds its level while a gap longer than the interval leaves too little data', () => {
    // Off for 30 h: back at 78 h, the last 24 h hold only new readings, and they are judged
    // once they span half a day.
    const before = series((t) => -3 * (t / DAY_MS), 2 * DAY_MS);
    const after = series(() => -6, DAY_MS).map((s) => ({ ...s, atMs: s.atMs + 78 * HOUR_MS }));
    const result = run([...before, ...after]);
    expect(result.events).toEqual([
      '12.00:falling:raise:none->alarm',
      '90.00:falling:clear:alarm->none',
    ]);
    expect(result.results[before.length]?.rate).toBeNull();
  });

  it('judges both directions of a "both" rule as independent bands', () => {
    const extensometer = resolveRateRule(undefined, 'extensometer', 'E-1') as RateRule;
    expect(extensometer.direction).toBe('both');
    // +3 mm/day for 2 days, then -3 mm/day for 2 days.
    const value = (t: number) =>
      t <= 2 * DAY_MS ? 3 * (t / DAY_MS) : 6 - 3 * ((t - 2 * DAY_MS) / DAY_MS);
    const result = run(series(value, 4 * DAY_MS), extensometer, {}, 'extensometer');
    expect(result.events.map((e) => e.slice(e.indexOf(':') + 1))).toEqual([
      'rising:raise:none->alarm',
      'rising:clear:alarm->alert',
      'rising:clear:alert->none',
      'falling:raise:none->alert',
      'falling:raise:alert->alarm',
    ]);
  });

  it('debounces raises and clears with the trigger levels’ options', () => {
    const samples = series((t) => -3 * (t / DAY_MS), 13 * HOUR_MS);
    expect(run(samples).events).toEqual(['12.00:falling:raise:none->alarm']);
    expect(run(samples, settlement, { raiseAfterWindows: 3 }).events).toEqual([
      '12.50:falling:raise:none->alarm',
    ]);
  });

  it('holds a level within the rule’s clear margin', () => {
    const margin = toRateRule({ ...settlement.config, clear_margin: 0.5 }, 'settlement_marker');
    // -2.2 mm/day for a day, then -1.8 mm/day: below alarm (2), within its margin.
    const value = (t: number) =>
      t <= DAY_MS ? -2.2 * (t / DAY_MS) : -2.2 - 1.8 * ((t - DAY_MS) / DAY_MS);
    const samples = series(value, 3 * DAY_MS);
    expect(run(samples).events.map((e) => e.slice(e.indexOf(':') + 1))).toEqual([
      'falling:raise:none->alarm',
      'falling:clear:alarm->alert',
    ]);
    expect(run(samples, margin).events.map((e) => e.slice(e.indexOf(':') + 1))).toEqual([
      'falling:raise:none->alarm',
    ]);
  });

  it('replays exactly: duplicated windows and a JSON checkpoint change nothing', () => {
    const samples = series((t) => -((t / DAY_MS) ** 2), 3 * DAY_MS);
    const whole = run(samples);
    let state: RateState | undefined;
    const replayed: string[] = [];
    samples.forEach(({ atMs, mean }, i) => {
      if (i === 150 && state)
        state = readRateState(JSON.parse(JSON.stringify(state)), 'settlement_marker');
      for (let copy = 0; copy < 2; copy++) {
        const r = evaluateRate(state, windowAt(atMs, mean), settlement);
        state = r.state;
        replayed.push(...r.alerts.map((a) => a.id));
        if (copy === 1) expect(r.evaluated).toBe(false);
      }
    });
    expect(replayed).toEqual(whole.results.flatMap((r) => r.alerts.map((a) => a.id)));
    expect(new Set(replayed).size).toBe(replayed.length);
  });

  it('keeps a small, bounded state however many windows the interval holds', () => {
    // A 1 s logger: 10 s windows of 10 readings, two days of them (17,280 windows).
    let state: RateState | undefined;
    for (let t = 0; t < 2 * DAY_MS; t += 10_000)
      state = evaluateRate(state, windowAt(t, -t / DAY_MS, { count: 10 }), settlement).state;
    const json = JSON.stringify(state);
    expect(state?.buckets.length).toBe(12);
    expect(json.length).toBeLessThan(1500);
    expect(readRateState(JSON.parse(json))).toEqual(state);
  });

  it('clears what it raised when the rule is removed (threshold null, as for levels), then forgets its data', () => {
    const raised = run(series((t) => -3 * (t / DAY_MS), DAY_MS));
    const next = evaluateRate(raised.state, windowAt(DAY_MS + QUARTER_HOUR, -3.1), undefined);
    expect(next.alerts.map((a) => [a.kind, a.to_level, a.threshold, a.unit, a.rate_rule])).toEqual([
      ['clear', 'none', null, 'mm/day', settlement.config],
    ]);
    expect(next.state).toMatchObject({ rule: null, buckets: [] });
  });

  it('restarts its buckets when the rule’s interval changes', () => {
    const raised = run(series((t) => -3 * (t / DAY_MS), DAY_MS));
    const sixHours = toRateRule({ ...settlement.config, over: '6h' }, 'settlement_marker');
    const next = evaluateRate(raised.state, windowAt(DAY_MS + QUARTER_HOUR, -3.1), sixHours);
    expect(next.state.buckets).toHaveLength(1);
    expect(next.rate).toBeNull();
    expect(next.alerts).toEqual([]); // the raised level holds until the new rule can judge
  });

  it('can be forgotten only when quiet and every bucket is older than the interval', () => {
    const quiet = run(series((t) => -0.5 * (t / DAY_MS), DAY_MS)).state as RateState;
    const raised = run(series((t) => -3 * (t / DAY_MS), DAY_MS)).state as RateState;
    const lastBucketEnd = Date.UTC(2024, 0, 2, 2); // the last window's midpoint, 24 h + 5 s, is in the 00:00-02:00 bucket
    expect(canForgetRateState(quiet, lastBucketEnd + 22 * HOUR_MS - 1)).toBe(false);
    expect(canForgetRateState(quiet, lastBucketEnd + 22 * HOUR_MS)).toBe(true);
    expect(canForgetRateState(raised, lastBucketEnd + 30 * DAY_MS)).toBe(false);
  });
});
