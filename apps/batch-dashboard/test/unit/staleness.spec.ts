import {
  instrumentStatus,
  staleAfterMs,
  summariseTypes,
  worstFirst,
  type InstrumentActivity,
} from '../../src/overview/staleness';

const policy = { multiplier: 3, fallbackIntervalMs: 3_600_000, minSilenceMs: 120_000 };
const NOW = Date.UTC(2026, 0, 1, 12);

function activity(over: Partial<InstrumentActivity>): InstrumentActivity {
  return {
    instrument: 'piezometer',
    borehole_number: 'PZ-1',
    trigger_level: 'none',
    last_reading_at: new Date(NOW - 60_000),
    last_reading_mean: 100,
    unit: 'kPa',
    usual_interval_ms: 600_000,
    clock_status: 'ok',
    clock_offset_ms: null,
    ...over,
  };
}

describe('staleness', () => {
  it('is silence longer than the multiple of the usual interval', () => {
    expect(
      instrumentStatus(activity({ last_reading_at: new Date(NOW - 1_800_000) }), NOW, policy).stale,
    ).toBe(false);
    expect(
      instrumentStatus(activity({ last_reading_at: new Date(NOW - 1_800_001) }), NOW, policy).stale,
    ).toBe(true);
  });

  it('uses the fallback interval when the history is too short to measure one', () => {
    expect(staleAfterMs(null, policy)).toBe(3 * 3_600_000);
  });

  it('never calls a fast instrument stale before the minimum silence (windows arrive after their grace)', () => {
    expect(staleAfterMs(10_000, policy)).toBe(120_000);
    expect(
      instrumentStatus(
        activity({ usual_interval_ms: 10_000, last_reading_at: new Date(NOW - 100_000) }),
        NOW,
        policy,
      ).stale,
    ).toBe(false);
  });
});

describe('overview', () => {
  const statuses = [
    activity({ borehole_number: 'A', trigger_level: 'alert' }),
    activity({ borehole_number: 'B', trigger_level: 'action' }),
    activity({ borehole_number: 'C', last_reading_at: new Date(NOW - 86_400_000) }),
    activity({ borehole_number: 'D' }),
    activity({
      borehole_number: 'E',
      instrument: 'strain_gauge',
      trigger_level: 'alarm',
      unit: 'µε',
    }),
  ].map((a) => instrumentStatus(a, NOW, policy));

  it('summarises each type: reporting, stale, worst level', () => {
    const piezometers = summariseTypes(statuses).find((t) => t.type === 'piezometer');
    expect(piezometers).toMatchObject({
      instruments: 4,
      reporting: 3,
      stale: 1,
      worst_level: 'action',
    });
    expect(piezometers?.levels).toEqual({ none: 2, alert: 1, alarm: 0, action: 1 });
    expect(summariseTypes(statuses).find((t) => t.type === 'water_standpipe')).toMatchObject({
      instruments: 0,
      worst_level: 'none',
    });
  });

  it('lists instruments needing attention worst first, leaving quiet ones out', () => {
    expect(worstFirst(statuses, 10).map((s) => s.borehole_number)).toEqual(['B', 'E', 'A', 'C']);
    expect(worstFirst(statuses, 2).map((s) => s.borehole_number)).toEqual(['B', 'E']);
  });

  it('counts and lists instruments whose clock is off, after the stale ones at their level', () => {
    const withClocks = [
      ...statuses,
      ...[
        activity({ borehole_number: 'F', clock_status: 'ahead', clock_offset_ms: 3_600_000 }),
        activity({ borehole_number: 'G', clock_status: 'behind', clock_offset_ms: -900_000 }),
      ].map((a) => instrumentStatus(a, NOW, policy)),
    ];
    expect(summariseTypes(withClocks).find((t) => t.type === 'piezometer')).toMatchObject({
      instruments: 6,
      clock_skewed: 2,
    });
    expect(worstFirst(withClocks, 10).map((s) => s.borehole_number)).toEqual([
      'B',
      'E',
      'A',
      'C',
      'F',
      'G',
    ]);
  });
});
