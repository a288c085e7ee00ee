import type { InstrumentType } from '@geostream/instrument-schemas';
import { DAY_MS, HOUR_MS, normalCdf } from './math';
import { uniform, type Random } from './random';
import type { TunnelProgress } from './tunnel';
import { rainfallResponseM, seasonalCycle, temperatureDeltaC } from './weather';

/**
 * How each instrument type behaves: a noise-free trend (what the ground is doing) that the
 * reading generator adds noise and the odd spike to. Each model draws its instrument's own
 * parameters once, when the site is built, and is then a pure function of time.
 */
export interface Placement {
  readonly chainageM: number;
  readonly offsetM: number;
  readonly surfaceLevel: number;
}

export interface SiteDrivers {
  readonly seed: number;
  readonly seasonPhase: number;
  readonly weatherPhase: number;
}

export interface TrendContext {
  readonly timeMs: number;
  readonly progress: TunnelProgress;
  readonly drivers: SiteDrivers;
}

/** Slow wandering common to every instrument: two sinusoids with their own periods. */
export interface Drift {
  readonly amplitude: number;
  readonly period1Ms: number;
  readonly phase1: number;
  readonly period2Ms: number;
  readonly phase2: number;
}

export function sampleDrift(random: Random, amplitude: number): Drift {
  return {
    amplitude,
    period1Ms: uniform(random, 1, 6) * DAY_MS,
    phase1: uniform(random, 0, 2 * Math.PI),
    period2Ms: uniform(random, 6, 36) * HOUR_MS,
    phase2: uniform(random, 0, 2 * Math.PI),
  };
}

export function driftAt(drift: Drift, timeMs: number): number {
  return (
    drift.amplitude *
    (0.6 * Math.sin((2 * Math.PI * timeMs) / drift.period1Ms + drift.phase1) +
      0.4 * Math.sin((2 * Math.PI * timeMs) / drift.period2Ms + drift.phase2))
  );
}

export interface Model<P> {
  sample(random: Random, placement: Placement): P;
  /** The noise-free value (drift included) at ctx.timeMs. */
  trend(params: P, placement: Placement, ctx: TrendContext): number;
  /** Standard deviation of reading noise, in the instrument's unit. */
  readonly noiseSd: number;
  /** Size range of a spike (an outlier such as a logger glitch), either sign. */
  readonly spike: { readonly min: number; readonly max: number };
}

/** How far ahead of (negative) or behind the face the instrument is, in trough widths. */
function behindFace(placement: Placement, progress: TunnelProgress, widthM: number): number {
  return (progress.faceChainageM - placement.chainageM) / widthM;
}

function gaussianAcross(offsetM: number, widthM: number): number {
  return Math.exp(-(offsetM * offsetM) / (2 * widthM * widthM));
}

export interface StandpipeParams {
  readonly depthOffsetM: number;
  readonly seasonalAmplitudeM: number;
  readonly rainSensitivity: number;
  readonly drawdownM: number;
  readonly drift: Drift;
}

const waterStandpipe: Model<StandpipeParams> = {
  sample: (random, placement) => ({
    depthOffsetM: uniform(random, -5, -3.2),
    seasonalAmplitudeM: uniform(random, 0.2, 0.5),
    rainSensitivity: uniform(random, 0.5, 1.5),
    drawdownM: uniform(random, 0.2, 0.8) * gaussianAcross(placement.offsetM, 200),
    drift: sampleDrift(random, uniform(random, 0.05, 0.15)),
  }),
  trend: (p, placement, { timeMs, progress, drivers }) => {
    const drawdown =
      p.drawdownM * Math.exp(-(behindFace(placement, progress, 300) ** 2)) * progress.recovery;
    return (
      placement.surfaceLevel +
      p.depthOffsetM +
      p.seasonalAmplitudeM * seasonalCycle(drivers.seasonPhase, timeMs) +
      p.rainSensitivity * rainfallResponseM(drivers.seed, timeMs) -
      drawdown +
      driftAt(p.drift, timeMs)
    );
  },
  noiseSd: 0.01,
  spike: { min: 0.8, max: 2.5 },
};

export interface PiezometerParams {
  readonly basePressureKpa: number;
  readonly drawdownKpa: number;
  readonly drift: Drift;
}

const piezometer: Model<PiezometerParams> = {
  sample: (random, placement) => ({
    basePressureKpa: uniform(random, 50, 150),
    drawdownKpa: uniform(random, 8, 30) * gaussianAcross(placement.offsetM, 150),
    drift: sampleDrift(random, uniform(random, 2, 8)),
  }),
  trend: (p, placement, { timeMs, progress }) => {
    // Pumping ahead of and around the face lowers pore pressure; it recovers as the face moves on.
    const drawdown =
      p.drawdownKpa * Math.exp(-(behindFace(placement, progress, 250) ** 2)) * progress.recovery;
    return p.basePressureKpa - drawdown + driftAt(p.drift, timeMs);
  },
  noiseSd: 0.3,
  spike: { min: 25, max: 60 },
};

export interface SettlementParams {
  readonly baselineMm: number;
  readonly maxSettlementMm: number;
  readonly troughWidthM: number;
  readonly drift: Drift;
}

const settlementMarker: Model<SettlementParams> = {
  sample: (random) => ({
    baselineMm: uniform(random, -2, -0.5),
    maxSettlementMm: uniform(random, 8, 36),
    troughWidthM: uniform(random, 10, 20),
    drift: sampleDrift(random, uniform(random, 0.05, 0.15)),
  }),
  trend: (p, placement, { timeMs, progress }) => {
    // Peck's Gaussian trough across the alignment, Attewell's cumulative profile along it.
    const settlement =
      p.maxSettlementMm *
      gaussianAcross(placement.offsetM, p.troughWidthM) *
      normalCdf(behindFace(placement, progress, p.troughWidthM)) *
      progress.recovery;
    return p.baselineMm - settlement + driftAt(p.drift, timeMs);
  },
  noiseSd: 0.15,
  spike: { min: 4, max: 12 },
};

export interface ExtensometerParams {
  readonly baselineMm: number;
  readonly maxDisplacementMm: number;
  readonly influenceWidthM: number;
  readonly drift: Drift;
}

const extensometer: Model<ExtensometerParams> = {
  sample: (random) => ({
    baselineMm: uniform(random, 0.3, 1),
    maxDisplacementMm: uniform(random, 6, 27),
    influenceWidthM: uniform(random, 12, 25),
    drift: sampleDrift(random, uniform(random, 0.02, 0.08)),
  }),
  trend: (p, placement, { timeMs, progress }) => {
    // Grows while the face passes beneath, then stabilises.
    const growth =
      p.maxDisplacementMm *
      gaussianAcross(placement.offsetM, 1.5 * p.influenceWidthM) *
      normalCdf(behindFace(placement, progress, p.influenceWidthM)) *
      progress.recovery;
    return p.baselineMm + growth + driftAt(p.drift, timeMs);
  },
  noiseSd: 0.05,
  spike: { min: 3, max: 8 },
};

export interface StrainParams {
  readonly baseStrain: number;
  /** µε per °C; a restrained strut goes into compression (negative) as it warms. */
  readonly thermalCoefficient: number;
  /** Strain added once excavation below the strut is complete (compression). */
  readonly loadChange: number;
  readonly drift: Drift;
}

const strainGauge: Model<StrainParams> = {
  sample: (random) => ({
    baseStrain: uniform(random, -200, 250),
    thermalCoefficient: uniform(random, 4, 10),
    loadChange: uniform(random, -170, -40),
    drift: sampleDrift(random, uniform(random, 5, 20)),
  }),
  trend: (p, placement, { timeMs, progress, drivers }) => {
    const thermal = -p.thermalCoefficient * temperatureDeltaC(drivers.weatherPhase, timeMs);
    const load = p.loadChange * normalCdf(behindFace(placement, progress, 60)) * progress.recovery;
    return p.baseStrain + thermal + load + driftAt(p.drift, timeMs);
  },
  noiseSd: 2,
  spike: { min: 150, max: 400 },
};

export interface ParamsByType {
  water_standpipe: StandpipeParams;
  piezometer: PiezometerParams;
  settlement_marker: SettlementParams;
  extensometer: ExtensometerParams;
  strain_gauge: StrainParams;
}

export const MODELS: { readonly [T in InstrumentType]: Model<ParamsByType[T]> } = {
  water_standpipe: waterStandpipe,
  piezometer,
  settlement_marker: settlementMarker,
  extensometer,
  strain_gauge: strainGauge,
};
