import { INSTRUMENT_TYPES, type InstrumentType } from '@geostream/instrument-schemas';
import { clamp, round2 } from './math';
import { MODELS, type ParamsByType, type Placement, type SiteDrivers } from './models';
import { gaussian, hashSeed, integerBetween, mulberry32, uniform, type Random } from './random';
import {
  alignmentCoordinates,
  createTunnelDrive,
  pointOnAlignment,
  type Point,
  type TunnelDrive,
} from './tunnel';

/**
 * The simulated site: where each instrument stands, its ground level, its own behaviour
 * parameters, and the tunnel drive they respond to. Built once from the seed, in a fixed order,
 * so one SIM_SEED always gives the same site.
 */
export interface SiteOptions {
  readonly seed: number;
  /** Instruments of each type: drawn per type from [min, max] (the reference: 50 to 149). */
  readonly instrumentsPerType: { readonly min: number; readonly max: number };
  readonly tunnelAdvanceMPerHour: number;
}

/** The reference API's site box (site grid metres). */
export const SITE_BOX = {
  eastingMin: 316_045,
  eastingMax: 325_000,
  northingMin: 5_810_000,
  northingMax: 5_816_000,
} as const;

export const SURFACE_LEVEL_RANGE = { min: 75, max: 120 } as const;

export interface SimulatedInstrument<T extends InstrumentType = InstrumentType> extends Placement {
  readonly type: T;
  readonly boreholeNumber: string;
  readonly easting: number;
  readonly northing: number;
  /** Seeds this instrument's per-reading randomness. */
  readonly salt: number;
  readonly params: ParamsByType[T];
}

export type InstrumentsByType = {
  readonly [T in InstrumentType]: readonly SimulatedInstrument<T>[];
};

export interface Site {
  readonly seed: number;
  readonly drive: TunnelDrive;
  readonly drivers: SiteDrivers;
  readonly instruments: InstrumentsByType;
}

interface Terrain {
  readonly phases: readonly [number, number, number];
}

function surfaceLevelAt(terrain: Terrain, point: Point): number {
  const [a, b, c] = terrain.phases;
  const level =
    97.5 +
    11 * Math.sin((2 * Math.PI * point.easting) / 5200 + a) +
    7 * Math.cos((2 * Math.PI * point.northing) / 3700 + b) +
    3 * Math.sin((2 * Math.PI * (point.easting + point.northing)) / 1500 + c);
  return round2(clamp(level, SURFACE_LEVEL_RANGE.min, SURFACE_LEVEL_RANGE.max));
}

function insideBox(point: Point): boolean {
  return (
    point.easting >= SITE_BOX.eastingMin &&
    point.easting <= SITE_BOX.eastingMax &&
    point.northing >= SITE_BOX.northingMin &&
    point.northing <= SITE_BOX.northingMax
  );
}

type PlacementRule = (
  random: Random,
  drive: TunnelDrive,
  stations: readonly number[],
) => {
  chainageM: number;
  offsetM: number;
};

function across(random: Random, sd: number, limit: number): number {
  return clamp(gaussian(random) * sd, -limit, limit);
}

/**
 * Where each type is installed, as monitoring plans put them: settlement markers in arrays across
 * the alignment, extensometers above the tunnel crown, strain gauges on the struts of station
 * boxes, piezometers and standpipes spread wider to watch the groundwater.
 */
const PLACEMENT: { readonly [T in InstrumentType]: PlacementRule } = {
  water_standpipe: (random, drive) => ({
    chainageM: uniform(random, -200, drive.lengthM + 200),
    offsetM: across(random, 400, 1500),
  }),
  piezometer: (random, drive) => ({
    chainageM: uniform(random, 0, drive.lengthM),
    offsetM: across(random, 120, 400),
  }),
  settlement_marker: (random, drive) => ({
    chainageM: uniform(random, 0, drive.lengthM),
    offsetM: across(random, 25, 90),
  }),
  extensometer: (random, drive) => ({
    chainageM: uniform(random, 0, drive.lengthM),
    offsetM: across(random, 10, 40),
  }),
  strain_gauge: (random, _drive, stations) => ({
    chainageM:
      (stations[Math.floor(random() * stations.length)] as number) + uniform(random, -60, 60),
    offsetM: uniform(random, -15, 15),
  }),
};

const SITE_STREAM = 0x53495445;
const STATION_COUNT = 6;

function placeInstrument(
  random: Random,
  type: InstrumentType,
  drive: TunnelDrive,
  stations: readonly number[],
): Point {
  for (let attempt = 0; ; attempt++) {
    const { chainageM, offsetM } = PLACEMENT[type](random, drive, stations);
    const raw = pointOnAlignment(drive, chainageM, offsetM);
    const point = { easting: Math.round(raw.easting), northing: Math.round(raw.northing) };
    if (insideBox(point)) return point;
    if (attempt >= 20) {
      return {
        easting: clamp(point.easting, SITE_BOX.eastingMin, SITE_BOX.eastingMax),
        northing: clamp(point.northing, SITE_BOX.northingMin, SITE_BOX.northingMax),
      };
    }
  }
}

/** Unique borehole numbers across the whole site, BH-1000 upwards, as the reference names them. */
function boreholeNumbers(random: Random, count: number): string[] {
  const span = Math.max(9000, 2 * count);
  const used = new Set<number>();
  const numbers: string[] = [];
  while (numbers.length < count) {
    const n = 1000 + Math.floor(random() * span);
    if (used.has(n)) continue;
    used.add(n);
    numbers.push(`BH-${n}`);
  }
  return numbers;
}

export function buildSite(options: SiteOptions): Site {
  const { seed } = options;
  const random = mulberry32(hashSeed(seed, SITE_STREAM));
  const drive = createTunnelDrive({
    start: {
      easting: uniform(random, 316_400, 316_700),
      northing: uniform(random, 5_810_700, 5_811_100),
    },
    end: {
      easting: uniform(random, 324_400, 324_700),
      northing: uniform(random, 5_814_900, 5_815_300),
    },
    advanceMPerHour: options.tunnelAdvanceMPerHour,
    phaseFraction: random(),
  });
  const drivers: SiteDrivers = {
    seed,
    seasonPhase: uniform(random, 0, 2 * Math.PI),
    weatherPhase: uniform(random, 0, 2 * Math.PI),
  };
  const terrain: Terrain = {
    phases: [uniform(random, 0, 6.3), uniform(random, 0, 6.3), uniform(random, 0, 6.3)],
  };
  const stations = Array.from({ length: STATION_COUNT }, () =>
    uniform(random, 0.05 * drive.lengthM, 0.95 * drive.lengthM),
  );
  const counts = INSTRUMENT_TYPES.map(() =>
    integerBetween(random, options.instrumentsPerType.min, options.instrumentsPerType.max),
  );
  const ids = boreholeNumbers(
    random,
    counts.reduce((sum, n) => sum + n, 0),
  );
  let nextId = 0;
  const instruments = Object.fromEntries(
    INSTRUMENT_TYPES.map((type, typeIndex) => {
      const list = Array.from({ length: counts[typeIndex] as number }, (_, index) => {
        const point = placeInstrument(random, type, drive, stations);
        const { chainageM, offsetM } = alignmentCoordinates(drive, point);
        const placement = { chainageM, offsetM, surfaceLevel: surfaceLevelAt(terrain, point) };
        return {
          type,
          boreholeNumber: ids[nextId++] as string,
          ...point,
          ...placement,
          salt: hashSeed(seed, typeIndex, index),
          params: MODELS[type].sample(random, placement),
        };
      });
      return [type, list];
    }),
  ) as unknown as InstrumentsByType;
  return { seed, drive, drivers, instruments };
}
