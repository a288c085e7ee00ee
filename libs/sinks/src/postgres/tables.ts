/**
 * The PostgreSQL names the dashboard and psql users read. They are part of the public API:
 * renaming one is a new migration plus a new pipeline version (see README, versioned outputs).
 */
export const POSTGRES_TABLES = {
  readingWindow: 'reading_window',
  alertEvent: 'alert_event',
  instrumentState: 'instrument_state',
  processorCheckpoint: 'processor_checkpoint',
  /** One row per instrument of a checkpointed partition: written only when it changed. */
  processorInstrumentCheckpoint: 'processor_instrument_checkpoint',
  /** The reference project's view, so its psql queries keep working. */
  recordView: 'record',
  /** Site drawings the dashboard draws under its plan view (written by the dashboard). */
  planUnderlay: 'plan_underlay',
} as const;

/**
 * The reprocessing registry (tools/reprocess), in the read schema (READ_PG_SCHEMA) next to the
 * views readers use: one row per pipeline version (its names and settings), and one pointer row
 * naming the version readers see (`current`) and the one before (`previous`). The dashboard
 * reads the current version's topic names from it to follow a switch-over.
 */
export const REPROCESS_TABLES = {
  versions: 'reprocess_version',
  pointer: 'reprocess_pointer',
} as const;

/** Where knex keeps its migration bookkeeping, inside the sink's schema. */
export const MIGRATIONS_TABLE = 'geostream_migrations';

export const READING_WINDOW_COLUMNS = [
  'id',
  'instrument',
  'borehole_number',
  'window_start',
  'window_end',
  'reading_mean',
  'reading_min',
  'reading_max',
  'reading_count',
  'first_timestamp',
  'last_timestamp',
  'unit',
  'surface_level',
  'northing',
  'easting',
  'trigger_level',
  'schema_version',
  'written_at',
] as const;

/** The conflict target of window upserts: one row per instrument and window. */
export const READING_WINDOW_KEY = ['instrument', 'borehole_number', 'window_start'] as const;

export const ALERT_EVENT_COLUMNS = [
  'id',
  /** 'level' | 'rate' | 'no_data' | 'clock_skew' (ALARM_CONDITIONS). */
  'condition',
  'instrument',
  'borehole_number',
  'kind',
  'direction',
  'from_level',
  'to_level',
  'window_id',
  'window_start',
  'window_end',
  'value',
  'threshold',
  'unit',
  'occurred_at',
  'schema_version',
  'payload',
  'written_at',
] as const;

export const INSTRUMENT_STATE_COLUMNS = [
  'instrument',
  'borehole_number',
  'last_window_id',
  'last_window_start',
  'last_window_end',
  'last_reading_mean',
  'last_reading_min',
  'last_reading_max',
  'last_reading_count',
  'last_reading_at',
  'unit',
  'surface_level',
  'northing',
  'easting',
  'trigger_level',
  'updated_at',
  /** 'ok' | 'ahead' | 'behind': the instrument's clock against the log's (Kafka record times). */
  'clock_status',
  /** Estimated offset of the instrument's clock in ms, positive = ahead; null when unknown. */
  'clock_offset_ms',
] as const;

export const PROCESSOR_CHECKPOINT_COLUMNS = [
  'consumer_group',
  'topic',
  'partition',
  'next_offset',
  'state',
  'updated_at',
] as const;

export const PROCESSOR_INSTRUMENT_CHECKPOINT_COLUMNS = [
  'consumer_group',
  'topic',
  'partition',
  'instrument_key',
  'state',
  'updated_at',
] as const;

/** The reference's `record` columns: reading = the window mean, ts = the window start. */
export const RECORD_VIEW_COLUMNS = [
  'borehole_number',
  'instrument',
  'surface_level',
  'northing',
  'easting',
  'reading',
  'ts',
] as const;

/**
 * A site drawing (PNG or SVG) and its placement in site coordinates: `transform` = [a, b, c, d,
 * e, f] with easting = a*x + b*y + c and northing = d*x + e*y + f, where (x, y) are image
 * coordinates (from the top-left corner, y down; pixels for a PNG, viewBox units for an SVG).
 */
export const PLAN_UNDERLAY_COLUMNS = [
  'id',
  'name',
  'media_type',
  'image',
  'image_sha256',
  'image_bytes',
  'width',
  'height',
  'transform',
  /** The two control points it was placed by ([{ image: [x, y], site: [e, n] }] x 2), or null. */
  'control_points',
  'opacity',
  'created_at',
  'updated_at',
] as const;

export type ReadingWindowColumn = (typeof READING_WINDOW_COLUMNS)[number];
export type AlertEventColumn = (typeof ALERT_EVENT_COLUMNS)[number];
export type InstrumentStateColumn = (typeof INSTRUMENT_STATE_COLUMNS)[number];
export type ProcessorCheckpointColumn = (typeof PROCESSOR_CHECKPOINT_COLUMNS)[number];
export type ProcessorInstrumentCheckpointColumn =
  (typeof PROCESSOR_INSTRUMENT_CHECKPOINT_COLUMNS)[number];
export type RecordViewColumn = (typeof RECORD_VIEW_COLUMNS)[number];
export type PlanUnderlayColumn = (typeof PLAN_UNDERLAY_COLUMNS)[number];
