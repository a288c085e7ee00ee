import { resolveRateRule, resolveSilenceRule, resolveTriggerLevels } from '@geostream/alerting';
import type { AlarmRules } from './instrument-alarms';
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

/**
 * Rate-of-change and silence rules from a site configuration (or the library defaults), as the
 * processor asks for them: per instrument. No memo: the rules are built once per configured
 * setting and shared by every instrument of it (see toRateRule), so nothing here grows with the
 * number of instruments (a memo keyed per instrument held 100,000 entries at 100,000).
 */
export function alarmRulesFromSiteConfig(config: SiteConfig | undefined): AlarmRules {
  return {
    rateRule: (type, borehole) => resolveRateRule(config, type, borehole),
    silenceRule: (type, borehole) => resolveSilenceRule(config, type, borehole),
  };
}
