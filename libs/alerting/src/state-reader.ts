import { TRIGGER_LEVELS, type TriggerLevel } from '@geostream/instrument-schemas';
import { AlertingError } from './errors';

// Checks for state read back from JSON (a checkpoint, a database row). Each throws a
// STATE_INVALID AlertingError naming the path, so a corrupt checkpoint says where it is broken
// instead of producing wrong alarms later.

export function invalidState(path: string, message: string): AlertingError {
  return new AlertingError('STATE_INVALID', `${path} ${message}`, { path });
}

export function objectAt(value: unknown, path: string): Record<string, unknown> {
  if (typeof value !== 'object' || value === null || Array.isArray(value))
    throw invalidState(path, 'must be an object');
  return value as Record<string, unknown>;
}

/** The object's schema_version, which must be `supported`. */
export function versionedObject(
  value: unknown,
  supported: number,
  path: string,
): Record<string, unknown> {
  const object = objectAt(value, path);
  const version = object['schema_version'];
  if (version !== supported) {
    if (typeof version === 'number' && Number.isInteger(version))
      throw new AlertingError(
        'STATE_VERSION_UNSUPPORTED',
        `${path}.schema_version ${version} is not supported (this build reads ${supported})`,
        { path, version },
      );
    throw invalidState(`${path}.schema_version`, `must be ${supported}`);
  }
  return object;
}

export function finiteAt(value: unknown, path: string): number {
  if (typeof value !== 'number' || !Number.isFinite(value))
    throw invalidState(path, 'must be a finite number');
  return value;
}

/** A whole number of ms (times, durations) in the safe integer range, at least `min`. */
export function integerAt(value: unknown, path: string, min = -Number.MAX_SAFE_INTEGER): number {
  if (!Number.isSafeInteger(value) || (value as number) < min)
    throw invalidState(path, `must be a whole number >= ${min}`);
  return value as number;
}

export function arrayAt(value: unknown, path: string, maxLength: number): unknown[] {
  if (!Array.isArray(value) || value.length > maxLength)
    throw invalidState(path, `must be an array of at most ${maxLength} items`);
  return value;
}

export function levelAt(value: unknown, path: string): TriggerLevel {
  if (!(TRIGGER_LEVELS as readonly unknown[]).includes(value))
    throw invalidState(path, `must be one of ${TRIGGER_LEVELS.join(', ')}`);
  return value as TriggerLevel;
}

export function stringAt(value: unknown, path: string): string {
  if (typeof value !== 'string' || value.length === 0)
    throw invalidState(path, 'must be a non-empty string');
  return value;
}

export function nullable<T>(value: unknown, read: (v: unknown) => T): T | null {
  return value === null ? null : read(value);
}
