import { resolveRateRule, type RateRule } from '@geostream/instrument-schemas';
import {
  advancePipelineClock,
  evaluateRate,
  evaluateWindow,
  isAlertingError,
  readInstrumentAlertState,
  readPipelineClock,
  readRateState,
  readSilenceState,
  type AlertingErrorCode,
  type RateState,
} from '../../src';
import { HOUR_MS, windowAt } from '../support/timeline';

// Every state the processor checkpoints is read back validated: a corrupt or foreign
// checkpoint fails naming the path, with a stable code, instead of producing wrong alarms.

function failure(read: () => unknown): [AlertingErrorCode, string] | 'read' {
  try {
    read();
    return 'read';
  } catch (error) {
    if (isAlertingError(error)) return [error.code, error.message];
    throw error;
  }
}

const settlement = resolveRateRule(undefined, 'settlement_marker', 'SM-1') as RateRule;

function rateState(): RateState {
  let state: RateState | undefined;
  for (let t = 0; t < 30 * HOUR_MS; t += HOUR_MS)
    state = evaluateRate(state, windowAt(t, -t / HOUR_MS), settlement).state;
  return JSON.parse(JSON.stringify(state)) as RateState;
}

describe('reading checkpointed states back', () => {
  it('reads back rate states', () => {
    const state = rateState();
    expect(readRateState(state, 'settlement_marker')).toEqual(state);
  });

  it.each<[string, (s: RateState) => unknown, AlertingErrorCode, string]>([
    [
      'a newer version',
      (s) => ({ ...s, schema_version: 2 }),
      'STATE_VERSION_UNSUPPORTED',
      '$.schema_version 2',
    ],
    [
      '13 buckets',
      (s) => ({ ...s, buckets: [...s.buckets, s.buckets[0]] }),
      'STATE_INVALID',
      '$.buckets must be an array of at most 12',
    ],
    [
      'buckets out of order',
      (s) => ({ ...s, buckets: [...s.buckets].reverse() }),
      'STATE_INVALID',
      '$.buckets[1] indexes must ascend',
    ],
    [
      'a bucket time outside its bucket',
      (s) => ({ ...s, buckets: [[s.buckets[0]?.[0], 1, -5, 0, 0, 0]] }),
      'STATE_INVALID',
      '$.buckets[0][2]',
    ],
    [
      'a NaN mean',
      (s) => ({ ...s, buckets: [[s.buckets[0]?.[0], 1, 5, null, 0, 0]] }),
      'STATE_INVALID',
      '$.buckets[0][3] must be a finite number',
    ],
    [
      'a rule of another unit',
      (s) => ({ ...s, rule: { ...s.rule, unit: 'kPa/h' } }),
      'STATE_INVALID',
      '$.rule is not a rate rule',
    ],
    [
      'buckets without a rule',
      (s) => ({ ...s, rule: null }),
      'STATE_INVALID',
      '$.buckets must be empty',
    ],
    [
      'a pending count without a level',
      (s) => ({ ...s, rising: { level: 'none', pending_level: null, pending_count: 2 } }),
      'STATE_INVALID',
      '$.rising must have a pending level',
    ],
  ])('refuses a rate state with %s', (_name, corrupt, code, message) => {
    const result = failure(() => readRateState(corrupt(rateState()), 'settlement_marker'));
    expect(result).not.toBe('read');
    const [actualCode, actualMessage] = result as [AlertingErrorCode, string];
    expect(actualCode).toBe(code);
    expect(actualMessage.startsWith(message)).toBe(true);
  });

  it('reads back level states, and refuses broken ones', () => {
    const state = evaluateWindow(undefined, windowAt(0, -25), {
      falling: { alert: -10, alarm: -20, action: -30 },
    }).state;
    expect(readInstrumentAlertState(JSON.parse(JSON.stringify(state)))).toEqual(state);
    expect(
      failure(() => readInstrumentAlertState({ ...state, last_window_start: 'yesterday' })),
    ).toEqual(['STATE_INVALID', '$.last_window_start must be null or an ISO-8601 UTC timestamp']);
    expect(
      failure(() =>
        readInstrumentAlertState({ ...state, falling: { ...state.falling, level: 'red' } }),
      ),
    ).toEqual(['STATE_INVALID', '$.falling.level must be one of none, alert, alarm, action']);
  });

  it('refuses broken silence states and clocks', () => {
    const silence = {
      schema_version: 1,
      last_delivery_ms: 1000,
      last_delivery_log_ms: 1000,
      burst_start_ms: 1000,
      gaps_ms: [60_000],
      raised: null,
    };
    expect(readSilenceState(silence)).toEqual(silence);
    expect(failure(() => readSilenceState({ ...silence, burst_start_ms: 2000 }))[0]).toBe(
      'STATE_INVALID',
    );
    expect(failure(() => readSilenceState({ ...silence, gaps_ms: Array(6).fill(1) }))[0]).toBe(
      'STATE_INVALID',
    );
    expect(failure(() => readSilenceState({ ...silence, raised: { level: 'none' } }))).toEqual([
      'STATE_INVALID',
      '$.raised.level must be one of alert, alarm, action',
    ]);
    expect(
      failure(() => readPipelineClock({ schema_version: 1, log_time_ms: 5, running_ms: 6 }))[0],
    ).toBe('STATE_INVALID');
    expect(
      failure(() => readPipelineClock({ schema_version: 1, log_time_ms: null, running_ms: 6 }))[0],
    ).toBe('STATE_INVALID');
  });
});

describe('advancePipelineClock', () => {
  it('follows the highest record time, counting stalls of the log as one step at most', () => {
    const steps = [1000, 2000, 1500, -1, 2500, 2500 + 3_600_000, 2600 + 3_600_000];
    let clock = advancePipelineClock(undefined, steps[0] as number, { maxStepMs: 60_000 });
    const seen = [[clock.log_time_ms, clock.running_ms]];
    for (const ts of steps.slice(1)) {
      clock = advancePipelineClock(clock, ts, { maxStepMs: 60_000 });
      seen.push([clock.log_time_ms, clock.running_ms]);
    }
    expect(seen).toEqual([
      [1000, 1000],
      [2000, 2000],
      [2000, 2000], // an older record leaves it
      [2000, 2000], // Kafka's -1: no timestamp
      [2500, 2500],
      [3_602_500, 62_500], // an hour's stall counts as one minute
      [3_602_600, 62_600],
    ]);
  });

  it('is plain log time without a cap, and refuses a cap of 0', () => {
    const clock = advancePipelineClock(
      advancePipelineClock(undefined, 0, { maxStepMs: Infinity }),
      86_400_000,
      {
        maxStepMs: Infinity,
      },
    );
    expect(clock.running_ms).toBe(86_400_000);
    expect(() => advancePipelineClock(undefined, 0, { maxStepMs: 0 })).toThrow(RangeError);
  });
});
