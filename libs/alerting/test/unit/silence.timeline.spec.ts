import {
  resolveSilenceRule,
  toSilenceRule,
  type NoDataAlarmEvent,
  type SilenceRule,
} from '@geostream/instrument-schemas';
import {
  advancePipelineClock,
  checkSilence,
  expectedInterval,
  readPipelineClock,
  readSilenceState,
  recordDelivery,
  silentAt,
  type PipelineClock,
  type PipelineClockOptions,
  type SilenceState,
} from '../../src';
import { HOUR_MS, T0, isAlarmEvent } from '../support/timeline';

// One partition's log: records with a Kafka timestamp, each carrying new readings of some
// piezometers. Silence is judged in the partition's time, never a wall clock.

const MINUTE_MS = 60_000;
const learnt = resolveSilenceRule(undefined, 'piezometer', 'P-1') as SilenceRule; // 1min..1d, x3

interface LogRecord {
  /** Kafka timestamp, ms after T0. */
  readonly atMs: number;
  /** Borehole numbers with a new reading in this record. */
  readonly readings: readonly string[];
}

/** Records every `everyMs` from `fromMs` to `toMs` (inclusive) carrying readings of `boreholes`. */
function every(everyMs: number, fromMs: number, toMs: number, ...boreholes: string[]): LogRecord[] {
  const records: LogRecord[] = [];
  for (let t = fromMs; t <= toMs; t += everyMs) records.push({ atMs: t, readings: boreholes });
  return records;
}

const byTime = (a: LogRecord, b: LogRecord) => a.atMs - b.atMs;

interface Simulation {
  /** 'P-1 raise@63.00' (minutes after T0, two decimals). */
  readonly events: string[];
  readonly alerts: NoDataAlarmEvent[];
  readonly states: Map<string, SilenceState>;
  readonly clock: PipelineClock | undefined;
}

/**
 * A processor's loop: advance the clock to each record, record its deliveries, then fire the
 * timers that are due. Timers are kept the way a processor would, from silentAt; a brute-force
 * check of every instrument after every record must agree (it is asserted).
 */
function simulate(
  records: readonly LogRecord[],
  rule: (borehole: string) => SilenceRule | undefined = () => learnt,
  clockOptions: PipelineClockOptions = {},
  start: { states?: Map<string, SilenceState>; clock?: PipelineClock } = {},
): Simulation {
  let clock = start.clock;
  const states = new Map(start.states);
  const timers = new Map<string, number>();
  for (const [b, s] of states) {
    const r = rule(b);
    const due = r === undefined ? undefined : silentAt(s, r);
    if (due !== undefined) timers.set(b, due);
  }
  const alerts: NoDataAlarmEvent[] = [];
  const events: string[] = [];
  const ref = (borehole: string) => ({
    instrument: 'piezometer' as const,
    borehole_number: borehole,
  });
  const note = (borehole: string, step: { alerts: NoDataAlarmEvent[]; silentAtMs?: number }) => {
    for (const a of step.alerts) {
      expect(isAlarmEvent(a)).toBe(true);
      alerts.push(a);
      events.push(
        `${borehole} ${a.kind}@${((Date.parse(a.occurred_at) - T0) / MINUTE_MS).toFixed(2)}`,
      );
    }
    if (step.silentAtMs === undefined) timers.delete(borehole);
    else timers.set(borehole, step.silentAtMs);
  };
  for (const record of records) {
    clock = advancePipelineClock(clock, T0 + record.atMs, clockOptions);
    for (const borehole of record.readings) {
      const step = recordDelivery(states.get(borehole), clock, rule(borehole), ref(borehole));
      states.set(borehole, step.state);
      note(borehole, step);
    }
    const now = clock.running_ms as number;
    for (const [borehole, state] of states) {
      const due = timers.get(borehole);
      const step = checkSilence(state, clock, rule(borehole), ref(borehole));
      // The timers (from silentAt) and the brute-force check agree on who goes silent now.
      if (rule(borehole) !== undefined)
        expect(step.alerts.some((a) => a.kind === 'raise')).toBe(due !== undefined && due <= now);
      states.set(borehole, step.state);
      note(borehole, step);
    }
  }
  return { events, alerts, states, clock };
}

describe('silent instruments: timelines', () => {
  it('a steady 1 s logger is never silent; stopped, it is after 3 x the 1 min floor', () => {
    const log = [
      ...every(1000, 0, HOUR_MS, 'P-1'),
      // P-2 keeps the partition (and its clock) moving after P-1 stops.
      ...every(10_000, 0, 2 * HOUR_MS, 'P-2'),
      ...every(1000, 90 * MINUTE_MS, 95 * MINUTE_MS, 'P-1'),
    ].sort(byTime);
    const result = simulate(log);
    // Back for 5 min at 90 min, then silent again: 3 min after 95 min, as before.
    expect(result.events).toEqual(['P-1 raise@63.00', 'P-1 clear@90.00', 'P-1 raise@98.00']);
    expect(result.alerts[0]).toMatchObject({
      silent_since: '2024-01-01T01:00:00.000Z',
      expected_interval_ms: MINUTE_MS,
      interval_source: 'learnt',
      multiplier: 3,
      from_level: 'none',
      to_level: 'alarm',
    });
    // Raise and clear of one silence share its start; the next silence has its own.
    expect(result.alerts.map((a) => a.id)).toEqual([
      'piezometer:P-1:no_data:2024-01-01T01:00:00.000Z:raise:alarm',
      'piezometer:P-1:no_data:2024-01-01T01:00:00.000Z:clear:none',
      'piezometer:P-1:no_data:2024-01-01T01:35:00.000Z:raise:alarm',
    ]);
  });

  it('a 15 min logger learns 15 min and is silent 45 min after its last reading', () => {
    const log = [
      ...every(15 * MINUTE_MS, 0, 24 * HOUR_MS, 'P-1'),
      ...every(MINUTE_MS, 0, 26 * HOUR_MS, 'P-2'),
    ].sort(byTime);
    const result = simulate(log);
    expect(expectedInterval(result.states.get('P-1') as SilenceState, learnt)).toEqual({
      ms: 15 * MINUTE_MS,
      source: 'learnt',
    });
    expect(result.events).toEqual([`P-1 raise@${(24 * 60 + 45).toFixed(2)}`]);
  });

  it('a store-and-forward node uploading a burst every 5 min learns 5 min, not the burst spacing', () => {
    // Five readings (one a minute) uploaded together every 5 min, 200 ms apart in the log.
    const bursts: LogRecord[] = [];
    for (let t = 5 * MINUTE_MS; t <= 3 * HOUR_MS; t += 5 * MINUTE_MS)
      for (let i = 0; i < 5; i++) bursts.push({ atMs: t + i * 200, readings: ['P-1'] });
    const log = [...bursts, ...every(30_000, 0, 4 * HOUR_MS, 'P-2')].sort(byTime);
    const result = simulate(log);
    expect(expectedInterval(result.states.get('P-1') as SilenceState, learnt)).toEqual({
      ms: 5 * MINUTE_MS,
      source: 'learnt',
    });
    // Last burst ends at 180 min + 800 ms; silent 15 min later, at the next P-2 record.
    expect(result.events).toEqual(['P-1 raise@195.50']);
  });

  it('one long outage does not teach a long interval: the next silence is judged on 15 min', () => {
    const log = [
      ...every(15 * MINUTE_MS, 0, 10 * HOUR_MS, 'P-1'),
      // Out for 6 h (a flat battery), back at 16 h, then out again after 20 h.
      ...every(15 * MINUTE_MS, 16 * HOUR_MS, 20 * HOUR_MS, 'P-1'),
      ...every(MINUTE_MS, 0, 22 * HOUR_MS, 'P-2'),
    ].sort(byTime);
    const result = simulate(log);
    expect(result.events).toEqual([
      'P-1 raise@645.00',
      'P-1 clear@960.00',
      `P-1 raise@${(20 * 60 + 45).toFixed(2)}`,
    ]);
    // Just after the outage, the 6 h gap is among the five learnt from, and outvoted.
    const back = simulate(log.filter((r) => r.atMs <= 16 * HOUR_MS));
    const state = back.states.get('P-1') as SilenceState;
    expect(state.gaps_ms).toEqual([...Array(4).fill(15 * MINUTE_MS), 6 * HOUR_MS]);
    expect(expectedInterval(state, learnt).ms).toBe(15 * MINUTE_MS);
  });

  it('nobody goes silent while the pipeline is stopped, nor when it resumes', () => {
    // Ten 1 min loggers; the producer is down from 60 to 180 min: nothing enters the log.
    const boreholes = Array.from({ length: 10 }, (_, i) => `P-${i}`);
    const log: LogRecord[] = [];
    for (let t = 0; t <= 4 * HOUR_MS; t += MINUTE_MS) {
      if (t > HOUR_MS && t < 3 * HOUR_MS) continue;
      // One record per instrument, 100 ms apart: when the producer comes back, the first
      // record's time jumps two hours before the others' follow it.
      boreholes.forEach((b, i) => log.push({ atMs: t + i * 100, readings: [b] }));
    }
    expect(simulate(log).events).toEqual([]);
    // Measured in plain log time (no cap), the outage would read as nine instruments silent.
    const plain = simulate(log, () => learnt, { maxStepMs: Infinity });
    expect(plain.events.filter((e) => e.includes('raise'))).toHaveLength(9);
  });

  it('judges a backlog by the log, not by when it is processed, across a checkpoint', () => {
    const log = [
      ...every(15 * MINUTE_MS, 0, 5 * HOUR_MS, 'P-1'),
      ...every(MINUTE_MS, 0, 8 * HOUR_MS, 'P-2'),
    ].sort(byTime);
    const whole = simulate(log);
    const cut = Math.floor(log.length / 2);
    const first = simulate(log.slice(0, cut));
    // The checkpoint: every state and the clock as JSON, read back validated.
    const states = new Map(
      [...first.states].map(([b, s]) => [b, readSilenceState(JSON.parse(JSON.stringify(s)))]),
    );
    const clock = readPipelineClock(JSON.parse(JSON.stringify(first.clock)));
    const second = simulate(log.slice(cut), () => learnt, {}, { states, clock });
    expect([...first.events, ...second.events]).toEqual(whole.events);
    expect(whole.events).toEqual([`P-1 raise@${(5 * 60 + 45).toFixed(2)}`]);
  });

  it('uses a configured interval as it is, and clears a raised alarm when silence is turned off', () => {
    const fixed = toSilenceRule({ expected_interval: '10min', multiplier: 2, level: 'alert' });
    const log = [
      ...every(MINUTE_MS, 0, 30 * MINUTE_MS, 'P-1'),
      ...every(MINUTE_MS, 0, 60 * MINUTE_MS, 'P-2'),
    ].sort(byTime);
    const result = simulate(log, (b) => (b === 'P-1' ? fixed : learnt));
    expect(result.events).toEqual(['P-1 raise@50.00']);
    expect(result.alerts[0]).toMatchObject({
      expected_interval_ms: 10 * MINUTE_MS,
      interval_source: 'configured',
      to_level: 'alert',
    });
    const off = simulate(
      every(MINUTE_MS, 61 * MINUTE_MS, 62 * MINUTE_MS, 'P-2'),
      () => undefined,
      {},
      {
        states: result.states,
        clock: result.clock,
      },
    );
    expect(off.events).toEqual(['P-1 clear@61.00']);
  });

  it('expects the ceiling of an instrument seen only once', () => {
    const result = simulate([{ atMs: 0, readings: ['P-1'] }]);
    const state = result.states.get('P-1') as SilenceState;
    expect(expectedInterval(state, learnt)).toEqual({ ms: 24 * HOUR_MS, source: 'initial' });
    expect(silentAt(state, learnt)).toBe(T0 + 3 * 24 * HOUR_MS);
  });
});
