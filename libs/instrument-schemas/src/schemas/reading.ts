import { Type, type Static } from '@sinclair/typebox';
import { INSTRUMENT_SPECS, INSTRUMENT_TYPES, type InstrumentType } from '../instrument-types';
import { PLAUSIBLE_POSITION } from '../plausible-positions';
import { IDENTIFIER_PATTERN, NOT_BLANK_PATTERN, TIMESTAMP_PATTERN } from './patterns';

/** The reading format this library writes. Messages without `version` are version 1. */
export const READING_FORMAT_VERSION = 1;

export const InstrumentTypeSchema = Type.Unsafe<InstrumentType>({
  type: 'string',
  enum: [...INSTRUMENT_TYPES],
});

/**
 * Per-type physical ranges for the types whose range is absolute. The water standpipe's range
 * is relative to the reading's own surface_level, which JSON Schema cannot express: that check
 * is validator-only (see README).
 */
const absolutePhysicalRanges = INSTRUMENT_TYPES.flatMap((type) => {
  const range = INSTRUMENT_SPECS[type].physicalRange;
  if (range.relativeTo !== undefined) return [];
  return [
    {
      // 'type' everywhere keeps Ajv's and fast-json-stringify's strict modes quiet.
      if: {
        type: 'object',
        properties: { instrument: { type: 'string', const: type } },
        required: ['instrument'],
      },
      then: {
        type: 'object',
        properties: { reading: { type: 'number', minimum: range.min, maximum: range.max } },
      },
    },
  ];
});

/**
 * One instrument reading, as the reference API sends it. Extra fields are tolerated and dropped
 * (a newer sender may add some); `version` absent means 1.
 */
export const ReadingSchema = Type.Object(
  {
    version: Type.Optional(Type.Literal(READING_FORMAT_VERSION)),
    borehole_number: Type.String({ minLength: 1, pattern: IDENTIFIER_PATTERN }),
    instrument: InstrumentTypeSchema,
    surface_level: Type.Number({
      minimum: PLAUSIBLE_POSITION.surface_level.min,
      maximum: PLAUSIBLE_POSITION.surface_level.max,
    }),
    northing: Type.Number({
      minimum: PLAUSIBLE_POSITION.northing.min,
      maximum: PLAUSIBLE_POSITION.northing.max,
    }),
    easting: Type.Number({
      minimum: PLAUSIBLE_POSITION.easting.min,
      maximum: PLAUSIBLE_POSITION.easting.max,
    }),
    reading: Type.Number(),
    timestamp: Type.String({ format: 'date-time', pattern: TIMESTAMP_PATTERN }),
  },
  {
    title: 'Reading',
    description: 'One geotechnical instrument reading (reference API format, version 1).',
    allOf: absolutePhysicalRanges,
  },
);

/** A reading as it travels on the wire (what ReadingSchema accepts). */
export type ReadingMessage = Static<typeof ReadingSchema>;

/**
 * A validated reading: the wire fields (snake_case, as the reference) with `timestamp`
 * normalised to ISO-8601 UTC with milliseconds, plus `timestampMs`, the same instant in UTC
 * milliseconds since the epoch. Unknown wire fields and `version` are not carried over.
 */
export interface Reading {
  readonly instrument: InstrumentType;
  readonly borehole_number: string;
  readonly surface_level: number;
  readonly northing: number;
  readonly easting: number;
  readonly reading: number;
  readonly timestamp: string;
  readonly timestampMs: number;
}

/** The batch envelope the reference API returns for one instrument type. */
export const BatchEnvelopeSchema = Type.Object(
  {
    version: Type.Optional(Type.Literal(READING_FORMAT_VERSION)),
    instruments: Type.Integer({ minimum: 0 }),
    units: Type.String({ minLength: 1, pattern: NOT_BLANK_PATTERN }),
    timezone: Type.String({ minLength: 1, pattern: NOT_BLANK_PATTERN }),
    items: Type.Array(ReadingSchema),
  },
  {
    title: 'BatchEnvelope',
    description: 'A batch of readings as the reference API returns it (version 1).',
  },
);

export type BatchEnvelope = Static<typeof BatchEnvelopeSchema>;
