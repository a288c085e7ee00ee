import type { RateOfChangeSetting, SilenceRuleConfig, SilenceSetting } from './schemas/alarm-rules';
import type { TriggerLevelsConfig } from './schemas/trigger-levels';

/** The five instrument types, as named on the wire and as per-type Kafka topics. */
export const INSTRUMENT_TYPES = [
  'water_standpipe',
  'piezometer',
  'settlement_marker',
  'extensometer',
  'strain_gauge',
] as const;

export type InstrumentType = (typeof INSTRUMENT_TYPES)[number];

const instrumentTypeSet: ReadonlySet<string> = new Set(INSTRUMENT_TYPES);

export function isInstrumentType(value: unknown): value is InstrumentType {
  return typeof value === 'string' && instrumentTypeSet.has(value);
}

/**
 * A closed range of values in the instrument's unit. With relativeTo 'surface_level' the bounds
 * are offsets from the reading's own surface_level (a standpipe's plausible water level depends
 * on where the ground is).
 */
export interface RangeSpec {
  readonly min: number;
  readonly max: number;
  readonly relativeTo?: 'surface_level';
}

export interface ValueRange {
  readonly min: number;
  readonly max: number;
}

export interface InstrumentSpec {
  readonly type: InstrumentType;
  /** What is measured, e.g. 'water level'. */
  readonly quantity: string;
  /** The unit symbol, e.g. 'm'. */
  readonly unit: string;
  /** The reference batch envelope's `units`, e.g. 'water level (m)'. */
  readonly unitsLabel: string;
  /** Values outside this range are physically implausible and rejected by validation. */
  readonly physicalRange: RangeSpec;
  /** A realistic operating range, for simulators (mock-api, producer tests). */
  readonly simulationRange: RangeSpec;
  /** Defaults a site configuration may override per type and per instrument. */
  readonly defaultTriggerLevels: TriggerLevelsConfig;
  /** The rate-of-change rule unless the site configures one (or 'off'). */
  readonly defaultRateOfChange: RateOfChangeSetting;
  /** When an instrument counts as silent unless the site configures it (or 'off'). */
  readonly defaultSilence: SilenceSetting;
}

/**
 * Every type learns its rhythm: sites mix 1 s loggers, 15 min loggers and hourly
 * store-and-forward uploads of any type. Silent after 3 expected intervals; the interval is
 * learnt between 1 minute (so a fast logger is not called silent within seconds) and 1 day.
 */
const LEARNT_SILENCE: SilenceRuleConfig = {
  learn_interval: { floor: '1min', ceiling: '1d' },
  multiplier: 3,
  level: 'alarm',
};

/**
 * Per-type facts and defaults. Figures are typical values from practice (see
 * shared/domain.md), not contract values: a site overrides trigger levels in its config file.
 */
export const INSTRUMENT_SPECS: { readonly [T in InstrumentType]: InstrumentSpec & { type: T } } = {
  water_standpipe: {
    type: 'water_standpipe',
    quantity: 'water level',
    unit: 'm',
    unitsLabel: 'water level (m)',
    physicalRange: { min: -60, max: 5, relativeTo: 'surface_level' },
    simulationRange: { min: -6, max: -2, relativeTo: 'surface_level' },
    // Groundwater rising towards the ground surface is the danger (uplift, flooding of the
    // excavation), and how close it is depends on where the ground is: levels are relative.
    defaultTriggerLevels: {
      relative_to: 'surface_level',
      rising: { alert: -1.5, alarm: -1.0, action: -0.5 },
    },
    // A water table rising by metres in a day is a burst main or a breach, not rainfall.
    defaultRateOfChange: {
      direction: 'rising',
      over: '24h',
      unit: 'm/day',
      alert: 0.5,
      alarm: 1,
      action: 2,
    },
    defaultSilence: LEARNT_SILENCE,
  },
  piezometer: {
    type: 'piezometer',
    quantity: 'pore pressure',
    unit: 'kPa',
    unitsLabel: 'pore pressure (kPa)',
    physicalRange: { min: -100, max: 2000 },
    simulationRange: { min: 20, max: 200 },
    // Rising pore pressure lowers effective stress: the danger is upward.
    defaultTriggerLevels: { rising: { alert: 250, alarm: 300, action: 350 } },
    // Pore pressure builds within hours (pumping failure, loading): judged over 6 h, per hour.
    defaultRateOfChange: {
      direction: 'rising',
      over: '6h',
      unit: 'kPa/h',
      alert: 5,
      alarm: 10,
      action: 20,
    },
    defaultSilence: LEARNT_SILENCE,
  },
  settlement_marker: {
    type: 'settlement_marker',
    quantity: 'vertical displacement',
    unit: 'mm',
    unitsLabel: 'vertical displacement (mm)',
    physicalRange: { min: -1000, max: 1000 },
    simulationRange: { min: -40, max: 0 },
    // Negative is settlement, the usual concern as a tunnel face passes.
    defaultTriggerLevels: { falling: { alert: -10, alarm: -20, action: -30 } },
    // Settlement that speeds up matters before it reaches a level: mm per day over a day.
    defaultRateOfChange: {
      direction: 'falling',
      over: '24h',
      unit: 'mm/day',
      alert: 1,
      alarm: 2,
      action: 5,
    },
    defaultSilence: LEARNT_SILENCE,
  },
  extensometer: {
    type: 'extensometer',
    quantity: 'displacement',
    unit: 'mm',
    unitsLabel: 'displacement (mm)',
    physicalRange: { min: -500, max: 500 },
    simulationRange: { min: 0, max: 30 },
    defaultTriggerLevels: {
      rising: { alert: 20, alarm: 30, action: 40 },
      falling: { alert: -20, alarm: -30, action: -40 },
    },
    defaultRateOfChange: {
      direction: 'both',
      over: '24h',
      unit: 'mm/day',
      alert: 1,
      alarm: 2,
      action: 5,
    },
    defaultSilence: LEARNT_SILENCE,
  },
  strain_gauge: {
    type: 'strain_gauge',
    quantity: 'strain',
    unit: 'µε',
    unitsLabel: 'strain (µε)',
    physicalRange: { min: -5000, max: 5000 },
    simulationRange: { min: -500, max: 500 },
    // Tension (positive) and compression (negative) of a strut or lining both matter.
    defaultTriggerLevels: {
      rising: { alert: 800, alarm: 1200, action: 1600 },
      falling: { alert: -800, alarm: -1200, action: -1600 },
    },
    // Over a whole day the daily temperature cycle mostly cancels; load changes do not.
    defaultRateOfChange: {
      direction: 'both',
      over: '24h',
      unit: 'µε/day',
      alert: 500,
      alarm: 1000,
      action: 2000,
    },
    defaultSilence: LEARNT_SILENCE,
  },
};

function absolute(range: RangeSpec, surfaceLevel: number): ValueRange {
  return range.relativeTo === 'surface_level'
    ? { min: surfaceLevel + range.min, max: surfaceLevel + range.max }
    : { min: range.min, max: range.max };
}

/** The physically plausible range of a reading of this type at this surface level. */
export function physicalRangeFor(instrument: InstrumentType, surfaceLevel: number): ValueRange {
  return absolute(INSTRUMENT_SPECS[instrument].physicalRange, surfaceLevel);
}

/** The realistic operating range of a reading of this type at this surface level. */
export function simulationRangeFor(instrument: InstrumentType, surfaceLevel: number): ValueRange {
  return absolute(INSTRUMENT_SPECS[instrument].simulationRange, surfaceLevel);
}
