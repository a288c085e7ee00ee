import { resolveTriggerLevels } from '@geostream/alerting';
import type { InstrumentType, SiteConfig, TriggerLevels } from '@geostream/instrument-schemas';

/** An instrument's trigger levels, absolute, in its reading's unit. Must be deterministic. */
export type TriggerLevelsResolver = (
  instrument: InstrumentType,
  boreholeNumber: string,
  surfaceLevel: number,
) => TriggerLevels;

/**
 * Levels from a site configuration (or the library defaults without one), memoised per
 * instrument and surface level: windows close in bursts of thousands, and the levels of an
 * instrument only change when its surface level does.
 */
export function triggerLevelsFromSiteConfig(
  config: SiteConfig | undefined,
  maxCached = 100_000,
): TriggerLevelsResolver {
  const cache = new Map<string, { surfaceLevel: number; levels: TriggerLevels }>();
  return (instrument, boreholeNumber, surfaceLevel) => {
    const key = `${instrument}:${boreholeNumber}`;
    const cached = cache.get(key);
    if (cached !== undefined && Object.is(cached.surfaceLevel, surfaceLevel)) return cached.levels;
    const levels = resolveTriggerLevels(config, instrument, boreholeNumber, surfaceLevel);
    if (cache.size >= maxCached) cache.clear();
    cache.set(key, { surfaceLevel, levels });
    return levels;
  };
}
