import { Type, type Static } from '@sinclair/typebox';
import { CANONICAL_TIMESTAMP_PATTERN, NOT_BLANK_PATTERN } from './patterns';
import { InstrumentTypeSchema } from './reading';
import { TriggerLevelSchema } from './trigger-levels';

export const WINDOW_RECORD_SCHEMA_VERSION = 1;

const CanonicalTimestamp = (description: string) =>
  Type.String({ format: 'date-time', pattern: CANONICAL_TIMESTAMP_PATTERN, description });

/**
 * One instrument's readings in one event-time window, reduced to the true mean (sum / count)
 * with min, max and count. Written to the per-type topics, PostgreSQL and Elasticsearch.
 */
export const WindowRecordSchema = Type.Object(
  {
    schema_version: Type.Literal(WINDOW_RECORD_SCHEMA_VERSION),
    id: Type.String({
      minLength: 1,
      pattern: NOT_BLANK_PATTERN,
      description: "'instrument:borehole_number:window_start', see windowId()",
    }),
    instrument: InstrumentTypeSchema,
    borehole_number: Type.String({ minLength: 1, pattern: NOT_BLANK_PATTERN }),
    window_start: CanonicalTimestamp('inclusive start of the window, UTC'),
    window_end: CanonicalTimestamp('exclusive end of the window, UTC'),
    reading_mean: Type.Number(),
    reading_min: Type.Number(),
    reading_max: Type.Number(),
    reading_count: Type.Integer({ minimum: 1 }),
    first_timestamp: CanonicalTimestamp('timestamp of the earliest reading in the window'),
    last_timestamp: CanonicalTimestamp('timestamp of the latest reading in the window'),
    unit: Type.String({ minLength: 1, pattern: NOT_BLANK_PATTERN }),
    surface_level: Type.Number({ description: 'from the latest reading in the window' }),
    northing: Type.Number({ description: 'from the latest reading in the window' }),
    easting: Type.Number({ description: 'from the latest reading in the window' }),
    trigger_level: TriggerLevelSchema,
  },
  { title: 'WindowRecord', description: 'One instrument, one event-time window (version 1).' },
);

export type WindowRecord = Static<typeof WindowRecordSchema>;
