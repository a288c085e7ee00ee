import type { CheckpointValues, InstrumentCheckpointValues } from './batch-plan';
import type { AlertEventValues, InstrumentStateValues, ReadingWindowValues } from './rows';
import { POSTGRES_TABLES } from './tables';
import type { UpsertSpec } from './upsert-statement';

/** A replayed window overwrites its row: same key, possibly corrected values. */
export const READING_WINDOW_UPSERT: UpsertSpec<ReadingWindowValues> = {
  table: POSTGRES_TABLES.readingWindow,
  columns: [
    { name: 'id', type: 'text' },
    { name: 'instrument', type: 'text' },
    { name: 'borehole_number', type: 'text' },
    { name: 'window_start', type: 'timestamptz' },
    { name: 'window_end', type: 'timestamptz' },
    { name: 'reading_mean', type: 'float8' },
    { name: 'reading_min', type: 'float8' },
    { name: 'reading_max', type: 'float8' },
    { name: 'reading_count', type: 'int4' },
    { name: 'first_timestamp', type: 'timestamptz' },
    { name: 'last_timestamp', type: 'timestamptz' },
    { name: 'unit', type: 'text' },
    { name: 'surface_level', type: 'float8' },
    { name: 'northing', type: 'float8' },
    { name: 'easting', type: 'float8' },
    { name: 'trigger_level', type: 'text' },
    { name: 'schema_version', type: 'int2' },
  ],
  conflictKey: ['instrument', 'borehole_number', 'window_start'],
  touchedColumn: 'written_at',
};

export const ALERT_EVENT_UPSERT: UpsertSpec<AlertEventValues> = {
  table: POSTGRES_TABLES.alertEvent,
  columns: [
    { name: 'id', type: 'text' },
    { name: 'condition', type: 'text' },
    { name: 'instrument', type: 'text' },
    { name: 'borehole_number', type: 'text' },
    { name: 'kind', type: 'text' },
    { name: 'direction', type: 'text' },
    { name: 'from_level', type: 'text' },
    { name: 'to_level', type: 'text' },
    { name: 'window_id', type: 'text' },
    { name: 'window_start', type: 'timestamptz' },
    { name: 'window_end', type: 'timestamptz' },
    { name: 'value', type: 'float8' },
    { name: 'threshold', type: 'float8' },
    { name: 'unit', type: 'text' },
    { name: 'occurred_at', type: 'timestamptz' },
    { name: 'schema_version', type: 'int2' },
    { name: 'payload', type: 'jsonb' },
  ],
  conflictKey: ['id'],
  touchedColumn: 'written_at',
};

/**
 * The dashboard's one-row-per-instrument overview. Only moves forward in event time: a
 * replay of older windows (or a zombie's late write) never takes it back; the same window
 * again (>=) may correct it.
 */
export const INSTRUMENT_STATE_UPSERT: UpsertSpec<InstrumentStateValues> = {
  table: POSTGRES_TABLES.instrumentState,
  columns: [
    { name: 'instrument', type: 'text' },
    { name: 'borehole_number', type: 'text' },
    { name: 'last_window_id', type: 'text' },
    { name: 'last_window_start', type: 'timestamptz' },
    { name: 'last_window_end', type: 'timestamptz' },
    { name: 'last_reading_mean', type: 'float8' },
    { name: 'last_reading_min', type: 'float8' },
    { name: 'last_reading_max', type: 'float8' },
    { name: 'last_reading_count', type: 'int4' },
    { name: 'last_reading_at', type: 'timestamptz' },
    { name: 'unit', type: 'text' },
    { name: 'surface_level', type: 'float8' },
    { name: 'northing', type: 'float8' },
    { name: 'easting', type: 'float8' },
    { name: 'trigger_level', type: 'text' },
    { name: 'clock_status', type: 'text' },
    { name: 'clock_offset_ms', type: 'int8' },
  ],
  conflictKey: ['instrument', 'borehole_number'],
  touchedColumn: 'updated_at',
  overwriteWhen: 'excluded.last_window_start >= $table.last_window_start',
};

/**
 * Overwritten unconditionally once the writer's fence passed (`follows`, checked under a lock of
 * the row before this upsert): every checkpoint is an (offset, state) pair written atomically.
 */
export const PROCESSOR_CHECKPOINT_UPSERT: UpsertSpec<CheckpointValues> = {
  table: POSTGRES_TABLES.processorCheckpoint,
  columns: [
    { name: 'consumer_group', type: 'text' },
    { name: 'topic', type: 'text' },
    { name: 'partition', type: 'int4' },
    { name: 'next_offset', type: 'int8' },
    { name: 'state', type: 'jsonb' },
  ],
  conflictKey: ['consumer_group', 'topic', 'partition'],
  touchedColumn: 'updated_at',
};

/** Each instrument's part of its partition's checkpoint, overwritten when it changed. */
export const PROCESSOR_INSTRUMENT_CHECKPOINT_UPSERT: UpsertSpec<InstrumentCheckpointValues> = {
  table: POSTGRES_TABLES.processorInstrumentCheckpoint,
  columns: [
    { name: 'consumer_group', type: 'text' },
    { name: 'topic', type: 'text' },
    { name: 'partition', type: 'int4' },
    { name: 'instrument_key', type: 'text' },
    { name: 'state', type: 'text', json: true },
  ],
  conflictKey: ['consumer_group', 'topic', 'partition', 'instrument_key'],
  touchedColumn: 'updated_at',
};
