import { tumblingWindows } from '@geostream/windowed-aggregator';
import { parseSiteConfig, type AlarmEvent, type SiteConfig } from '@geostream/instrument-schemas';
import { defined } from '@geostream/platform/testing';
import {
  PartitionProcessor,
  type PartitionProcessorOptions,
} from '../../src/core/partition-processor';
import { alarmRulesFromSiteConfig } from '../../src/core/trigger-levels';
import type { RawMessage } from '../../src/core/raw-message';
import { CheckpointStore } from '../support/checkpoint-store';
import { INSTRUMENTS, T0, readingJson } from '../support/messages';

const [piezometer, settlement] = INSTRUMENTS as [
  (typeof INSTRUMENTS)[number],
  (typeof INSTRUMENTS)[number],
];
const MIN = 60_000;

function siteConfig(config: Record<string, unknown>): SiteConfig {
  const parsed = parseSiteConfig({ version: 1, ...config });
  if (!parsed.ok) throw new Error(JSON.stringify(parsed.problems));
  return parsed.value;
}

/** Rates off and silence off for every type, unless the test's config says otherwise. */
const OFF = Object.fromEntries(
  INSTRUMENTS.map((i) => [i.instrument, 'off'] as const).concat([
    ['water_standpipe', 'off'],
    ['extensometer', 'off'],
    ['strain_gauge', 'off'],
  ]),
);

function options(config: SiteConfig): PartitionProcessorOptions {
  return {
    topic: 'raw',
    partition: 0,
    spec: tumblingWindows({ sizeMs: 10_000, graceMs: 5_000 }),
    siteConfig: config,
    alarmRules: alarmRulesFromSiteConfig(config),
    clockToleranceMs: 300_000,
    maxLogStepMs: 60_000,
  };
}

/** One message per reading, each in the log at `logMs` after T0 (its Kafka timestamp). */
function logged(
  entries: ReadonlyArray<{ readonly payload: unknown; readonly logMs: number }>,
  firstOffset = 0,
): RawMessage[] {
  return entries.map((e, i) => ({
    offset: String(firstOffset + i),
    key: null,
    value: Buffer.from(JSON.stringify(e.payload)),
    timestamp: String(T0 + e.logMs),
  }));
}

const conditions = (alerts: readonly AlarmEvent[]) =>
  alerts.map((a) => `${a.condition ?? 'level'} ${a.kind} ${a.instrument} ${a.to_level}`);

describe('alarms beyond trigger levels', () => {
  it('raises a rate-of-change alarm on a settlement speeding up, before it crosses a level', () => {
    const config = siteConfig({
      rate_of_change_defaults: {
        ...OFF,
        settlement_marker: {
          direction: 'falling',
          over: '1h',
          unit: 'mm/h',
          alert: 1,
          alarm: 3,
        },
      },
      silence_defaults: OFF,
    });
    const processor = PartitionProcessor.fresh(options(config));
    // A reading a minute for two hours: steady for an hour, then settling 2 mm/h (still far
    // from the -10 mm trigger level).
    const messages = logged(
      Array.from({ length: 120 }, (_, i) => {
        const atMs = i * MIN;
        const value = i < 60 ? -1 : -1 - ((i - 60) * 2) / 60;
        return { payload: readingJson(settlement, atMs, value), logMs: atMs + 1_000 };
      }),
    );
    const out = processor.processBatch(messages);
    const rate = out.alerts.filter((a) => a.condition === 'rate');
    expect(conditions(rate)).toEqual(['rate raise settlement_marker alert']);
    expect(defined(rate[0], 'the rate alarm')).toMatchObject({
      direction: 'falling',
      unit: 'mm/h',
      interval_ms: 3_600_000,
    });
    expect(out.windows.every((w) => w.trigger_level === 'none')).toBe(true);
  });

  it('raises no_data for an instrument silent past its interval, by pipeline time, and clears when it delivers again', () => {
    const config = siteConfig({
      rate_of_change_defaults: OFF,
      silence_defaults: {
        ...OFF,
        piezometer: { expected_interval: '1min', multiplier: 3 },
      },
    });
    const processor = PartitionProcessor.fresh(options(config));
    // Both instruments read every minute; the piezometer stops after minute 5.
    const entries: { payload: unknown; logMs: number }[] = [];
    for (let minute = 0; minute <= 12; minute++) {
      const atMs = minute * MIN;
      if (minute <= 5 || minute >= 11)
        entries.push({ payload: readingJson(piezometer, atMs, 100), logMs: atMs + 500 });
      entries.push({ payload: readingJson(settlement, atMs, -1), logMs: atMs + 700 });
    }
    const store = new CheckpointStore();
    const messages = logged(entries);
    // A restart in the middle of the silence: the alarm still comes, once, at the same point.
    const first = processor.processBatch(messages.slice(0, 14));
    store.checkpoint(processor);
    const restored = PartitionProcessor.restore(options(config), store.stored());
    const second = restored.processBatch(messages.slice(14));
    const noData = [...first.alerts, ...second.alerts].filter((a) => a.condition === 'no_data');
    expect(conditions(noData)).toEqual([
      'no_data raise piezometer alarm',
      'no_data clear piezometer none',
    ]);
    const [raise] = noData;
    // Silent since its last delivery (5 min + 0.5 s), raised at the first record 3 min later.
    expect(raise).toMatchObject({
      silent_since: new Date(T0 + 5 * MIN + 500).toISOString(),
      expected_interval_ms: MIN,
      occurred_at: new Date(T0 + 8 * MIN + 700).toISOString(),
    });
  });

  it('raises no no_data when the whole partition stops (producer or pipeline down), and none when it resumes', () => {
    const config = siteConfig({
      rate_of_change_defaults: OFF,
      silence_defaults: {
        ...OFF,
        piezometer: { expected_interval: '1min', multiplier: 3 },
        settlement_marker: { expected_interval: '1min', multiplier: 3 },
      },
    });
    const processor = PartitionProcessor.fresh(options(config));
    const entries: { payload: unknown; logMs: number }[] = [];
    // Two minutes of readings, an hour with nothing in the log, then the backlog and live again.
    for (const minute of [0, 1, 2, 63, 64, 65]) {
      entries.push({ payload: readingJson(piezometer, minute * MIN, 100), logMs: minute * MIN });
      entries.push({ payload: readingJson(settlement, minute * MIN, -1), logMs: minute * MIN + 1 });
    }
    const out = processor.processBatch(logged(entries));
    expect(out.alerts.filter((a) => a.condition === 'no_data')).toEqual([]);
  });

  it('raises clock_skew for an instrument whose clock runs an hour ahead, and clears it once fixed', () => {
    const config = siteConfig({ rate_of_change_defaults: OFF, silence_defaults: OFF });
    const processor = PartitionProcessor.fresh(options(config));
    const entries: { payload: unknown; logMs: number }[] = [];
    // Local summer time sent as UTC for ten minutes, then someone fixes the logger; it reads
    // every minute for three hours more.
    for (let minute = 0; minute < 190; minute++) {
      const ahead = minute < 10 ? 3_600_000 : 0;
      entries.push({
        payload: readingJson(piezometer, minute * MIN + ahead, 100),
        logMs: minute * MIN + 1_000,
      });
    }
    const out = processor.processBatch(logged(entries));
    const skew = out.alerts.filter((a) => a.condition === 'clock_skew');
    expect(conditions(skew)).toEqual([
      'clock_skew raise piezometer alert',
      'clock_skew clear piezometer none',
    ]);
    expect(defined(skew[0], 'the raise')).toMatchObject({
      clock_status: 'ahead',
      limit_ms: 300_000,
    });
    // The clock is judged from the smallest recent delay, which forgets the hour-fast readings
    // at half the pace of log time: the alarm clears within about two hours of the fix.
    const clearedAfterMs = Date.parse(defined(skew[1], 'the clear').occurred_at) - (T0 + 10 * MIN);
    expect(clearedAfterMs).toBeLessThanOrEqual(2 * 3_600_000);
    // Readings of the hour the fast clock had already covered are late against its own windows.
    expect(out.deadLetters.every((d) => d.reason === 'late')).toBe(true);
    expect(processor.skewedClocks).toEqual({ ahead: 0, behind: 0 });
  });
});
