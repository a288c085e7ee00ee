import type { AlertKind } from './schemas/alert';
import type { TriggerDirection, TriggerLevel } from './schemas/trigger-levels';

/**
 * An alert's id: '<window id>:<direction>:<kind>:<to_level>'. One window changes each
 * direction's level at most once, so this is unique, and a replay of the same windows yields
 * the same ids (sinks can upsert on it).
 */
export function alertId(
  windowIdOfCause: string,
  direction: TriggerDirection,
  kind: AlertKind,
  toLevel: TriggerLevel,
): string {
  return `${windowIdOfCause}:${direction}:${kind}:${toLevel}`;
}
