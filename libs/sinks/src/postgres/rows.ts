import {
  WINDOW_RECORD_SCHEMA_VERSION,
  alarmConditionOf,
  type AlarmCondition,
  type AlarmEvent,
  type Alert,
  type ClockStatus,
  type InstrumentClock,
  type InstrumentType,
  type TriggerLevel,
  type WindowRecord,
} from '@geostream/instrument-schemas';

/** A timestamptz as node-postgres returns it (Date), or as text if a reader changed the parser. */
export type TimestampValue = Date | string;

/** A `reading_window` row as read back; timestamps as node-postgres returns them. */
export interface ReadingWindowRow {
  readonly id: string;
  readonly instrument: InstrumentType;
  readonly borehole_number: string;
  readonly window_start: TimestampValue;
  readonly window_end: TimestampValue;
  readonly reading_mean: number;
  readonly reading_min: number;
  readonly reading_max: number;
  readonly reading_count: number;
  readonly first_timestamp: TimestampValue;
  readonly last_timestamp: TimestampValue;
  readonly unit: string;
  readonly surface_level: number;
  readonly northing: number;
  readonly easting: number;
  readonly trigger_level: TriggerLevel;
  readonly schema_version: number;
  readonly written_at?: TimestampValue;
}

/** The values written for one window: the record's own fields, timestamps as ISO text. */
export type ReadingWindowValues = Omit<ReadingWindowRow, 'written_at'> & {
  readonly window_start: string;
  readonly window_end: string;
  readonly first_timestamp: string;
  readonly last_timestamp: string;
};

export interface AlertEventValues {
  readonly id: string;
  readonly condition: AlarmCondition;
  readonly instrument: InstrumentType;
  readonly borehole_number: string;
  readonly kind: Alert['kind'];
  /** Levels and rates have one; no_data and clock_skew none. */
  readonly direction: Alert['direction'] | null;
  readonly from_level: TriggerLevel;
  readonly to_level: TriggerLevel;
  readonly window_id: string | null;
  readonly window_start: string | null;
  readonly window_end: string | null;
  readonly value: number | null;
  readonly threshold: number | null;
  readonly unit: string | null;
  readonly occurred_at: string;
  readonly schema_version: number;
  /** The whole alert, as JSON text (jsonb). */
  readonly payload: string;
}

export interface InstrumentStateValues {
  readonly instrument: InstrumentType;
  readonly borehole_number: string;
  readonly last_window_id: string;
  readonly last_window_start: string;
  readonly last_window_end: string;
  readonly last_reading_mean: number;
  readonly last_reading_min: number;
  readonly last_reading_max: number;
  readonly last_reading_count: number;
  readonly last_reading_at: string;
  readonly unit: string;
  readonly surface_level: number;
  readonly northing: number;
  readonly easting: number;
  readonly trigger_level: TriggerLevel;
  readonly clock_status: ClockStatus;
  readonly clock_offset_ms: number | null;
}

export function windowRecordToRow(record: WindowRecord): ReadingWindowValues {
  return {
    id: record.id,
    instrument: record.instrument,
    borehole_number: record.borehole_number,
    window_start: record.window_start,
    window_end: record.window_end,
    reading_mean: record.reading_mean,
    reading_min: record.reading_min,
    reading_max: record.reading_max,
    reading_count: record.reading_count,
    first_timestamp: record.first_timestamp,
    last_timestamp: record.last_timestamp,
    unit: record.unit,
    surface_level: record.surface_level,
    northing: record.northing,
    easting: record.easting,
    trigger_level: record.trigger_level,
    schema_version: record.schema_version,
  };
}

/** Canonical ISO-8601 UTC with milliseconds, the form window records carry. */
function iso(value: TimestampValue): string {
  return (typeof value === 'string' ? new Date(value) : value).toISOString();
}

/** The window record a `reading_window` row holds (the inverse of windowRecordToRow). */
export function readingWindowRowToRecord(row: ReadingWindowRow): WindowRecord {
  return {
    schema_version: WINDOW_RECORD_SCHEMA_VERSION,
    id: row.id,
    instrument: row.instrument,
    borehole_number: row.borehole_number,
    window_start: iso(row.window_start),
    window_end: iso(row.window_end),
    reading_mean: row.reading_mean,
    reading_min: row.reading_min,
    reading_max: row.reading_max,
    reading_count: row.reading_count,
    first_timestamp: iso(row.first_timestamp),
    last_timestamp: iso(row.last_timestamp),
    unit: row.unit,
    surface_level: row.surface_level,
    northing: row.northing,
    easting: row.easting,
    trigger_level: row.trigger_level,
  };
}

/** The `alert_event` row of an alarm event of any condition (the whole event in `payload`). */
export function alertToRow(event: AlarmEvent): AlertEventValues {
  const condition = alarmConditionOf(event);
  const windowed = 'window' in event ? event.window : null;
  return {
    id: event.id,
    condition,
    instrument: event.instrument,
    borehole_number: event.borehole_number,
    kind: event.kind,
    direction: 'direction' in event ? event.direction : null,
    from_level: event.from_level,
    to_level: event.to_level,
    window_id: windowed?.id ?? null,
    window_start: windowed?.window_start ?? null,
    window_end: windowed?.window_end ?? null,
    value: 'value' in event ? event.value : null,
    threshold: 'threshold' in event ? event.threshold : null,
    unit: 'unit' in event ? event.unit : null,
    occurred_at: event.occurred_at,
    schema_version: event.schema_version,
    payload: JSON.stringify(event),
  };
}

/**
 * The `instrument_state` row a window would leave behind if it is the instrument's latest, with
 * the instrument's clock as judged when it closed ('ok', unknown, when not given).
 */
export function instrumentStateFromWindow(
  record: WindowRecord,
  clock?: InstrumentClock,
): InstrumentStateValues {
  return {
    instrument: record.instrument,
    borehole_number: record.borehole_number,
    last_window_id: record.id,
    last_window_start: record.window_start,
    last_window_end: record.window_end,
    last_reading_mean: record.reading_mean,
    last_reading_min: record.reading_min,
    last_reading_max: record.reading_max,
    last_reading_count: record.reading_count,
    last_reading_at: record.last_timestamp,
    unit: record.unit,
    surface_level: record.surface_level,
    northing: record.northing,
    easting: record.easting,
    trigger_level: record.trigger_level,
    clock_status: clock?.status ?? 'ok',
    clock_offset_ms: clock?.offsetMs ?? null,
  };
}
