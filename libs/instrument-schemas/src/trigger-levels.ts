import {
  TRIGGER_LEVELS,
  type TriggerDirection,
  type TriggerLevel,
  type TriggerLevels,
  type TriggerThresholds,
} from './schemas/trigger-levels';

/** 0 for none up to 3 for action. */
export function triggerLevelRank(level: TriggerLevel): number {
  return TRIGGER_LEVELS.indexOf(level);
}

/** The more severe of two levels. */
export function maxTriggerLevel(a: TriggerLevel, b: TriggerLevel): TriggerLevel {
  return triggerLevelRank(a) >= triggerLevelRank(b) ? a : b;
}

/**
 * The level a value reaches in one direction: rising compares value >= threshold, falling
 * value <= threshold (reaching a threshold counts). NaN reaches nothing.
 */
export function classifyDirection(
  value: number,
  direction: TriggerDirection,
  thresholds: TriggerThresholds,
): TriggerLevel {
  if (direction === 'rising') {
    if (value >= thresholds.action) return 'action';
    if (value >= thresholds.alarm) return 'alarm';
    if (value >= thresholds.alert) return 'alert';
    return 'none';
  }
  if (value <= thresholds.action) return 'action';
  if (value <= thresholds.alarm) return 'alarm';
  if (value <= thresholds.alert) return 'alert';
  return 'none';
}

/** The most severe level a value reaches over the directions the levels define. */
export function classifyTriggerLevel(value: number, levels: TriggerLevels): TriggerLevel {
  const rising = levels.rising ? classifyDirection(value, 'rising', levels.rising) : 'none';
  const falling = levels.falling ? classifyDirection(value, 'falling', levels.falling) : 'none';
  return maxTriggerLevel(rising, falling);
}

/** 'rising', 'falling' or 'both', as engineers name it. */
export function triggerDirectionOf(levels: TriggerLevels): TriggerDirection | 'both' {
  if (levels.rising && levels.falling) return 'both';
  return levels.rising ? 'rising' : 'falling';
}
