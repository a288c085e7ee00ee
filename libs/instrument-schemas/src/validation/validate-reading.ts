import {
  INSTRUMENT_SPECS,
  isInstrumentType,
  type InstrumentType,
  type ValueRange,
} from '../instrument-types';
import { PLAUSIBLE_POSITION, TIMESTAMP_YEARS } from '../plausible-positions';
import type { Problem, ValidationResult } from '../problems';
import { READING_FORMAT_VERSION, type Reading } from '../schemas/reading';
import {
  absence,
  add,
  describeValue,
  isPlainObject,
  notAnObject,
  numberProblem,
  problem,
  identifierProblem,
  versionProblem,
} from './field-problems';
import {
  explainTimestamp,
  formatIsoUtc,
  isCanonicalTimestamp,
  parseTimestampMs,
} from './timestamp';

function instrumentProblem(value: unknown, path: string): Problem {
  if (typeof value === 'string') {
    return value.trim() === ''
      ? problem('empty_string', path, `${path} must not be empty or blank`)
      : problem(
          'unknown_instrument',
          path,
          `${path} ${describeValue(value)} is not an instrument type`,
        );
  }
  return (
    absence(value, path) ??
    problem('wrong_type', path, `${path} must be a string, got ${describeValue(value)}`)
  );
}

function timestampProblem(value: unknown, path: string): Problem {
  if (typeof value === 'string') {
    const code = explainTimestamp(value);
    const why =
      code === 'timestamp_without_zone'
        ? 'has no time zone (add Z or an offset such as +00:00)'
        : code === 'empty_string'
          ? 'is empty'
          : 'is not an ISO-8601 date-time (YYYY-MM-DDTHH:MM:SS[.fff]Z)';
    return problem(code, path, `${path} ${describeValue(value)} ${why}`);
  }
  return (
    absence(value, path) ??
    problem(
      'wrong_type',
      path,
      `${path} must be an ISO-8601 string with a zone, got ${describeValue(value)}`,
    )
  );
}

/** The problem with a position field (surface level, northing, easting) outside PLAUSIBLE_POSITION. */
function positionProblem(
  field: keyof typeof PLAUSIBLE_POSITION,
  value: number,
): Problem | undefined {
  const range: ValueRange = PLAUSIBLE_POSITION[field];
  if (value >= range.min && value <= range.max) return undefined;
  return problem(
    'out_of_physical_range',
    field,
    `${field} ${String(value)} m is outside the plausible ${String(range.min)} .. ${String(range.max)} m`,
  );
}

/** The problem with a parsed timestamp whose year, as written, is outside TIMESTAMP_YEARS. */
function yearProblem(timestamp: string, path: string): Problem | undefined {
  const year = Number(timestamp.slice(0, 4));
  if (year >= TIMESTAMP_YEARS.min && year <= TIMESTAMP_YEARS.max) return undefined;
  return problem(
    'timestamp_out_of_range',
    path,
    `${path} ${JSON.stringify(timestamp)} is outside the years ${TIMESTAMP_YEARS.min} to ${TIMESTAMP_YEARS.max}: a corrupt or reset clock`,
  );
}

function rangeProblem(
  instrument: InstrumentType,
  reading: number,
  surfaceLevel: number,
  path: string,
): Problem | undefined {
  const spec = INSTRUMENT_SPECS[instrument];
  const range = spec.physicalRange;
  if (range.relativeTo === 'surface_level') {
    // Compared as an offset from the surface: the same arithmetic as the documented rule.
    const offset = reading - surfaceLevel;
    if (offset >= range.min && offset <= range.max) return undefined;
    return problem(
      'out_of_physical_range',
      path,
      `${path} ${String(reading)} ${spec.unit} is outside the plausible ${instrument} range ` +
        `surface_level${String(range.min)} .. surface_level+${String(range.max)} ${spec.unit} ` +
        `(surface_level ${String(surfaceLevel)})`,
    );
  }
  if (reading >= range.min && reading <= range.max) return undefined;
  return problem(
    'out_of_physical_range',
    path,
    `${path} ${String(reading)} ${spec.unit} is outside the plausible ${instrument} range ` +
      `${String(range.min)} .. ${String(range.max)} ${spec.unit}`,
  );
}

/**
 * Validates one reading: a whole message (itemIndex -1) or item itemIndex of an envelope, whose
 * paths start 'items[i]'. Checks every field and reports every problem; allocates nothing but
 * the result when the reading is valid, because it runs once per reading on the hot path.
 */
export function validateReadingAt(value: unknown, itemIndex: number): ValidationResult<Reading> {
  const result = validateFields(value);
  if (result.ok || itemIndex < 0) return result;
  const prefix = `items[${itemIndex}]`;
  return {
    ok: false,
    problems: result.problems.map((p) => ({
      code: p.code,
      path: p.path === '' ? prefix : `${prefix}.${p.path}`,
      message: p.path === '' ? p.message.replace('the reading', prefix) : `${prefix}.${p.message}`,
    })),
  };
}

function validateFields(value: unknown): ValidationResult<Reading> {
  if (!isPlainObject(value)) {
    return { ok: false, problems: [notAnObject('the reading', value)] };
  }
  const version = value.version;
  if (version !== undefined && version !== READING_FORMAT_VERSION) {
    const p = versionProblem(version, 'version', READING_FORMAT_VERSION);
    if (p !== undefined) return { ok: false, problems: [p] };
  }

  const instrument = value.instrument;
  const boreholeNumber = value.borehole_number;
  const surfaceLevel = value.surface_level;
  const northing = value.northing;
  const easting = value.easting;
  const reading = value.reading;
  const timestamp = value.timestamp;
  let problems: Problem[] | undefined;

  if (!isInstrumentType(instrument)) {
    problems = add(problems, instrumentProblem(instrument, 'instrument'));
  }
  const boreholeProblem = identifierProblem(boreholeNumber, 'borehole_number');
  if (boreholeProblem !== undefined) problems = add(problems, boreholeProblem);
  let surfaceLevelOk = typeof surfaceLevel === 'number' && Number.isFinite(surfaceLevel);
  if (!surfaceLevelOk) {
    problems = add(problems, numberProblem(surfaceLevel, 'surface_level') as Problem);
  } else {
    const p = positionProblem('surface_level', surfaceLevel as number);
    if (p !== undefined) {
      problems = add(problems, p);
      surfaceLevelOk = false; // a standpipe's range cannot be reckoned from it
    }
  }
  if (!(typeof northing === 'number' && Number.isFinite(northing))) {
    problems = add(problems, numberProblem(northing, 'northing') as Problem);
  } else {
    const p = positionProblem('northing', northing);
    if (p !== undefined) problems = add(problems, p);
  }
  if (!(typeof easting === 'number' && Number.isFinite(easting))) {
    problems = add(problems, numberProblem(easting, 'easting') as Problem);
  } else {
    const p = positionProblem('easting', easting);
    if (p !== undefined) problems = add(problems, p);
  }
  if (!(typeof reading === 'number' && Number.isFinite(reading))) {
    problems = add(problems, numberProblem(reading, 'reading') as Problem);
  } else if (isInstrumentType(instrument)) {
    // The standpipe's range depends on surface_level: without a valid one it cannot be judged.
    if (surfaceLevelOk || INSTRUMENT_SPECS[instrument].physicalRange.relativeTo === undefined) {
      const p = rangeProblem(instrument, reading, surfaceLevel as number, 'reading');
      if (p !== undefined) problems = add(problems, p);
    }
  }
  let timestampMs = NaN;
  if (typeof timestamp === 'string') timestampMs = parseTimestampMs(timestamp);
  if (Number.isNaN(timestampMs)) {
    problems = add(problems, timestampProblem(timestamp, 'timestamp'));
  } else {
    const p = yearProblem(timestamp as string, 'timestamp');
    if (p !== undefined) problems = add(problems, p);
  }

  if (problems !== undefined) return { ok: false, problems };
  const ts = timestamp as string;
  return {
    ok: true,
    value: {
      instrument: instrument as InstrumentType,
      borehole_number: boreholeNumber as string,
      surface_level: surfaceLevel as number,
      northing: northing as number,
      easting: easting as number,
      reading: reading as number,
      timestamp: isCanonicalTimestamp(ts) ? ts : formatIsoUtc(timestampMs),
      timestampMs,
    },
  };
}

/**
 * Validates one parsed reading (version 1, or the reference format without a version). Never
 * throws: returns the normalised Reading, or every problem found, each with a path and a
 * stable reason code.
 */
export function validateReading(value: unknown): ValidationResult<Reading> {
  return validateFields(value);
}
