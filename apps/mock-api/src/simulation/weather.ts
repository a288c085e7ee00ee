import { DAY_MS, HOUR_MS, YEAR_MS } from './math';
import { keyedRandom } from './random';

/**
 * Site-wide drivers every instrument of a kind responds to: rain (groundwater rises after a
 * storm and drains away over days) and air temperature (struts shorten and lengthen through the
 * day). Pure functions of the site seed and the time.
 */
const RAIN_BLOCK_MS = 6 * HOUR_MS;
const RAIN_LOOKBACK_BLOCKS = 20; // five days: older storms have drained away
const RAIN_CHANCE_PER_BLOCK = 0.15;
const RAIN_RISE_MS = 2 * HOUR_MS;
const RAIN_RECESSION_MS = 36 * HOUR_MS;
const STREAM_RAIN = 0x5241494e;

/** Groundwater rise (m, before per-instrument sensitivity) from recent storms. */
export function rainfallResponseM(seed: number, timeMs: number): number {
  const current = Math.floor(timeMs / RAIN_BLOCK_MS);
  let rise = 0;
  for (let block = current - RAIN_LOOKBACK_BLOCKS; block <= current; block++) {
    const random = keyedRandom(seed, STREAM_RAIN, block);
    if (random() >= RAIN_CHANCE_PER_BLOCK) continue;
    const intensity = 0.05 + 0.3 * random();
    const since = timeMs - (block + random()) * RAIN_BLOCK_MS;
    if (since <= 0) continue;
    rise +=
      intensity * (1 - Math.exp(-since / RAIN_RISE_MS)) * Math.exp(-since / RAIN_RECESSION_MS);
  }
  return rise;
}

const WEATHER_PERIOD_MS = 4.3 * DAY_MS;

/**
 * Air temperature minus its mean (°C): a daily cycle peaking at 15:00 UTC (the simulator does
 * not model the site's time zone) plus a few-day weather swing.
 */
export function temperatureDeltaC(weatherPhase: number, timeMs: number): number {
  const timeOfDay = ((timeMs % DAY_MS) + DAY_MS) % DAY_MS;
  const daily = 7 * Math.sin((2 * Math.PI * (timeOfDay - 9 * HOUR_MS)) / DAY_MS);
  const weather = 3 * Math.sin((2 * Math.PI * timeMs) / WEATHER_PERIOD_MS + weatherPhase);
  return daily + weather;
}

/** Seasonal swing in [-1, 1]: groundwater is highest late in the wet season. */
export function seasonalCycle(seasonPhase: number, timeMs: number): number {
  return Math.sin((2 * Math.PI * timeMs) / YEAR_MS + seasonPhase);
}
