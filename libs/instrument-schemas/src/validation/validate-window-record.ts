import { isInstrumentType } from '../instrument-types';
import type { Problem, ValidationResult } from '../problems';
import { TRIGGER_LEVELS } from '../schemas/trigger-levels';
import { WINDOW_RECORD_SCHEMA_VERSION, type WindowRecord } from '../schemas/window-record';
import {
  describeValue,
  isPlainObject,
  notAnObject,
  joinPath,
  numberProblem,
  problem,
  stringProblem,
  versionProblem,
} from './field-problems';
import { explainTimestamp, isCanonicalTimestamp, parseTimestampMs } from './timestamp';

type FieldKind = 'string' | 'number' | 'count' | 'timestamp' | 'instrument' | 'trigger_level';

const WINDOW_RECORD_FIELDS: ReadonlyArray<readonly [keyof WindowRecord, FieldKind]> = [
  ['id', 'string'],
  ['instrument', 'instrument'],
  ['borehole_number', 'string'],
  ['window_start', 'timestamp'],
  ['window_end', 'timestamp'],
  ['reading_mean', 'number'],
  ['reading_min', 'number'],
  ['reading_max', 'number'],
  ['reading_count', 'count'],
  ['first_timestamp', 'timestamp'],
  ['last_timestamp', 'timestamp'],
  ['unit', 'string'],
  ['surface_level', 'number'],
  ['northing', 'number'],
  ['easting', 'number'],
  ['trigger_level', 'trigger_level'],
];

function fieldProblem(kind: FieldKind, value: unknown, path: string): Problem | undefined {
  switch (kind) {
    case 'string':
      return stringProblem(value, path);
    case 'number':
      return numberProblem(value, path);
    case 'count':
      return (
        numberProblem(value, path) ??
        (Number.isInteger(value) && (value as number) >= 1
          ? undefined
          : problem(
              'invalid_value',
              path,
              `${path} must be a whole number >= 1, got ${describeValue(value)}`,
            ))
      );
    case 'timestamp': {
      const p = stringProblem(value, path);
      if (p !== undefined) return p;
      const s = value as string;
      if (isCanonicalTimestamp(s) && !Number.isNaN(parseTimestampMs(s))) return undefined;
      const code = explainTimestamp(s);
      return problem(
        code === 'timestamp_without_zone' ? code : 'invalid_timestamp',
        path,
        `${path} ${describeValue(value)} must be ISO-8601 UTC with milliseconds (YYYY-MM-DDTHH:MM:SS.fffZ)`,
      );
    }
    case 'instrument':
      if (isInstrumentType(value)) return undefined;
      return (
        stringProblem(value, path) ??
        problem(
          'unknown_instrument',
          path,
          `${path} ${describeValue(value)} is not an instrument type`,
        )
      );
    case 'trigger_level':
      if ((TRIGGER_LEVELS as readonly unknown[]).includes(value)) return undefined;
      return (
        stringProblem(value, path) ??
        problem(
          'invalid_value',
          path,
          `${path} must be one of ${TRIGGER_LEVELS.join(', ')}, got ${describeValue(value)}`,
        )
      );
  }
}

/**
 * Validates a window record read back from a topic, table or index (for the dashboard and
 * other consumers). Checks fields and types; it trusts the producer's arithmetic (mean within
 * min..max) as those records come from our own processor.
 */
export function validateWindowRecord(value: unknown): ValidationResult<WindowRecord> {
  if (!isPlainObject(value)) {
    return { ok: false, problems: [notAnObject('a window record', value)] };
  }
  const version = versionProblem(
    value.schema_version,
    'schema_version',
    WINDOW_RECORD_SCHEMA_VERSION,
    true,
  );
  if (version !== undefined) return { ok: false, problems: [version] };
  const problems: Problem[] = [];
  for (const [field, kind] of WINDOW_RECORD_FIELDS) {
    const p = fieldProblem(kind, value[field], joinPath('', field));
    if (p !== undefined) problems.push(p);
  }
  if (problems.length > 0) return { ok: false, problems };
  return { ok: true, value: value as unknown as WindowRecord };
}
