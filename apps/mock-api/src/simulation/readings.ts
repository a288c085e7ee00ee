import {
  physicalRangeFor,
  simulationRangeFor,
  type InstrumentType,
} from '@geostream/instrument-schemas';
import { clamp, HOUR_MS, round2 } from './math';
import { MODELS } from './models';
import { gaussian, keyedRandom, uniform } from './random';
import type { SimulatedInstrument, Site } from './site';
import { tunnelProgressAt } from './tunnel';

/**
 * Readings as the instruments on site would report them: each a pure function of the site, the
 * instrument and the time, so the same (seed, time) always gives the same numbers whatever was
 * asked before.
 */
export interface ReadingBehaviour {
  /** Chance that an instrument also reports a second, earlier reading a few seconds before. */
  readonly repeatRate: number;
  /** Chance that an instrument falls silent for 5 to 30 minutes within a given hour. */
  readonly silentRate: number;
  /** Chance that a reading is a spike (an outlier well outside the trend). */
  readonly spikeRate: number;
}

export interface SimulatedReading {
  readonly instrument: SimulatedInstrument;
  readonly timestampMs: number;
  readonly value: number;
  readonly spike: boolean;
}

const STREAM_SAMPLE = 1;
const STREAM_REQUEST = 2;
const STREAM_SILENCE = 3;

/** A logger's read time trails the request by up to this much. */
export const MAX_LOGGER_LAG_MS = 1500;
const REPEAT_GAP_MS = { min: 2000, max: 7000 } as const;
const SILENCE_MINUTES = { min: 5, max: 30 } as const;

/** The instrument's trend at a time, without noise. */
export function trendAt(site: Site, instrument: SimulatedInstrument, timeMs: number): number {
  const model = MODELS[instrument.type];
  return model.trend(instrument.params as never, instrument, {
    timeMs,
    progress: tunnelProgressAt(site.drive, timeMs),
    drivers: site.drivers,
  });
}

/**
 * The reading the instrument takes at `sampleMs`: trend plus noise, kept within the realistic
 * (simulation) range; a spike leaves that range but stays physically plausible.
 */
export function sampleAt(
  site: Site,
  instrument: SimulatedInstrument,
  sampleMs: number,
  spikeRate: number,
): { value: number; spike: boolean } {
  const model = MODELS[instrument.type];
  const random = keyedRandom(instrument.salt, STREAM_SAMPLE, sampleMs);
  let value = trendAt(site, instrument, sampleMs) + model.noiseSd * gaussian(random);
  const spike = random() < spikeRate;
  const range = simulationRangeFor(instrument.type, instrument.surfaceLevel);
  value = clamp(value, range.min, range.max);
  if (spike) {
    const size = uniform(random, model.spike.min, model.spike.max);
    const physical = physicalRangeFor(instrument.type, instrument.surfaceLevel);
    value = clamp(value + (random() < 0.5 ? -size : size), physical.min, physical.max);
  }
  return { value: round2(value), spike };
}

/** Whether the instrument is in one of its silent spells at `timeMs`. */
export function isSilent(
  instrument: SimulatedInstrument,
  timeMs: number,
  silentRate: number,
): boolean {
  if (silentRate <= 0) return false;
  const hour = Math.floor(timeMs / HOUR_MS);
  const random = keyedRandom(instrument.salt, STREAM_SILENCE, hour);
  if (random() >= silentRate) return false;
  const minutes = uniform(random, SILENCE_MINUTES.min, SILENCE_MINUTES.max);
  const start = hour * HOUR_MS + uniform(random, 0, 60 - minutes) * 60_000;
  return timeMs >= start && timeMs < start + minutes * 60_000;
}

/**
 * The current readings of every instrument of a type that is not silent, one each, plus an
 * earlier close-interval repeat for some (same borehole, a few seconds apart: the readings a
 * 10 s window must average).
 */
export function readingsAt(
  site: Site,
  type: InstrumentType,
  nowMs: number,
  behaviour: ReadingBehaviour,
  /** How long before `nowMs` a reading may have been taken (a scan of the log: its interval). */
  maxLagMs: number = MAX_LOGGER_LAG_MS,
): SimulatedReading[] {
  const readings: SimulatedReading[] = [];
  for (const instrument of site.instruments[type] as readonly SimulatedInstrument[]) {
    if (isSilent(instrument, nowMs, behaviour.silentRate)) continue;
    const random = keyedRandom(instrument.salt, STREAM_REQUEST, nowMs);
    const sampleMs = nowMs - Math.floor(random() * maxLagMs);
    if (random() < behaviour.repeatRate) {
      const earlierMs =
        sampleMs - Math.round(uniform(random, REPEAT_GAP_MS.min, REPEAT_GAP_MS.max));
      readings.push({
        instrument,
        timestampMs: earlierMs,
        ...sampleAt(site, instrument, earlierMs, behaviour.spikeRate),
      });
    }
    readings.push({
      instrument,
      timestampMs: sampleMs,
      ...sampleAt(site, instrument, sampleMs, behaviour.spikeRate),
    });
  }
  return readings;
}
