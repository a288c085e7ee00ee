import {
  httpSettings,
  logFormat,
  logLevel,
  readConfig,
  type EnvReader,
  type Environment,
  type HttpSettings,
  type LogFormat,
  type LogLevel,
} from '@geostream/platform';
import type { FaultRates } from './simulation/faults';
import type { SimulationSettings } from './simulation/simulator';

/** Everything mock-api reads from the environment, validated once at start. */
export interface MockApiConfig {
  readonly http: HttpSettings;
  readonly logLevel: LogLevel;
  readonly logFormat: LogFormat;
  readonly simulation: SimulationSettings;
  readonly faults: FaultRates;
  /** The most items one `?since=` page holds (a request's `limit` may ask for fewer). */
  readonly pageMaxReadings: number;
}

/** A probability in [0, 1]; EnvReader reads integers only, so fractions are parsed here. */
function rate(env: EnvReader, name: string, fallback: number): number {
  return decimal(env, name, fallback, 0, 1);
}

function decimal(env: EnvReader, name: string, fallback: number, min: number, max: number): number {
  env.noteDefault(name, fallback);
  const text = env.raw(name);
  if (text === undefined) return fallback;
  const value = /^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/.test(text) ? Number(text) : Number.NaN;
  if (!Number.isFinite(value) || value < min || value > max) {
    env.problem(name, `must be a number between ${min} and ${max}, got ${JSON.stringify(text)}`);
    return fallback;
  }
  return value;
}

const MAX_INSTRUMENTS_PER_TYPE = 100_000;

function instrumentsPerType(env: EnvReader): { min: number; max: number } {
  const limits = { min: 1, max: MAX_INSTRUMENTS_PER_TYPE };
  const fixed = env.raw('SIM_INSTRUMENTS_PER_TYPE');
  if (fixed !== undefined) {
    const n = env.int('SIM_INSTRUMENTS_PER_TYPE', 100, limits);
    return { min: n, max: n };
  }
  const min = env.int('SIM_INSTRUMENTS_MIN', 50, limits);
  const max = env.int('SIM_INSTRUMENTS_MAX', 149, limits);
  if (min > max) {
    env.problem('SIM_INSTRUMENTS_MAX', `must be at least SIM_INSTRUMENTS_MIN (${min}), got ${max}`);
    return { min, max: min };
  }
  return { min, max };
}

function faultRates(env: EnvReader): FaultRates {
  const faults: FaultRates = {
    nullField: rate(env, 'FAULT_NULL_RATE', 0),
    emptyField: rate(env, 'FAULT_EMPTY_RATE', 0),
    nonNumeric: rate(env, 'FAULT_NON_NUMERIC_RATE', 0),
    unknownType: rate(env, 'FAULT_UNKNOWN_TYPE_RATE', 0),
    outOfOrder: rate(env, 'FAULT_OUT_OF_ORDER_RATE', 0),
    duplicate: rate(env, 'FAULT_DUPLICATE_RATE', 0),
    slow: rate(env, 'FAULT_SLOW_RATE', 0),
    slowMs: env.int('FAULT_SLOW_MS', 10_000, { min: 0, max: 600_000 }),
    http500: rate(env, 'FAULT_HTTP_500_RATE', 0),
    garbage: rate(env, 'FAULT_GARBAGE_RATE', 0),
  };
  const itemSum =
    faults.nullField +
    faults.emptyField +
    faults.nonNumeric +
    faults.unknownType +
    faults.outOfOrder;
  if (itemSum > 1) {
    env.problem(
      'FAULT_NULL_RATE',
      `FAULT_NULL_RATE, FAULT_EMPTY_RATE, FAULT_NON_NUMERIC_RATE, FAULT_UNKNOWN_TYPE_RATE and FAULT_OUT_OF_ORDER_RATE must sum to at most 1, got ${itemSum}`,
    );
  }
  if (faults.http500 + faults.garbage > 1) {
    env.problem(
      'FAULT_HTTP_500_RATE',
      `FAULT_HTTP_500_RATE and FAULT_GARBAGE_RATE must sum to at most 1, got ${faults.http500 + faults.garbage}`,
    );
  }
  return faults;
}

export function simulationSettings(env: EnvReader): SimulationSettings {
  return {
    seed: env.int('SIM_SEED', 1, { min: 0, max: 4_294_967_295 }),
    instrumentsPerType: instrumentsPerType(env),
    tunnelAdvanceMPerHour: decimal(env, 'SIM_TUNNEL_ADVANCE_M_PER_HOUR', 600, 0.001, 100_000),
    repeatRate: rate(env, 'SIM_REPEAT_RATE', 0.02),
    silentRate: rate(env, 'SIM_SILENT_RATE', 0.02),
    spikeRate: rate(env, 'SIM_SPIKE_RATE', 0.002),
    scanIntervalMs: env.int('SIM_SCAN_INTERVAL_MS', 5_000, { min: 10, max: 3_600_000 }),
    historyMs: env.int('SIM_HISTORY_MS', 3_600_000, { min: 1, max: 30 * 86_400_000 }),
  };
}

export function readMockApiConfig(env: Environment): MockApiConfig {
  return readConfig(env, (reader) => ({
    http: httpSettings(reader, 3000),
    logLevel: logLevel(reader),
    logFormat: logFormat(reader),
    simulation: simulationSettings(reader),
    faults: faultRates(reader),
    pageMaxReadings: reader.int('SIM_PAGE_MAX_READINGS', 10_000, { min: 1, max: 1_000_000 }),
  }));
}
