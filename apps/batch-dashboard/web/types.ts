/** The API's JSON, as the browser receives it (timestamps are ISO strings). */
export type InstrumentType =
  'water_standpipe' | 'piezometer' | 'settlement_marker' | 'extensometer' | 'strain_gauge';
export type TriggerLevel = 'none' | 'alert' | 'alarm' | 'action';

export interface WindowRow {
  id: string;
  instrument: InstrumentType;
  borehole_number: string;
  window_start: string;
  window_end: string;
  reading_mean: number;
  reading_min: number;
  reading_max: number;
  reading_count: number;
  first_timestamp: string;
  last_timestamp: string;
  unit: string;
  surface_level: number;
  northing: number;
  easting: number;
  trigger_level: TriggerLevel;
}

export interface HistoryPage {
  rows: WindowRow[];
  hasMore: boolean;
  nextCursor: string | null;
  total?: { value: number; exact: boolean };
}

export interface Thresholds {
  alert: number;
  alarm: number;
  action: number;
}

export interface InstrumentDetail {
  instrument: InstrumentType;
  borehole_number: string;
  quantity: string;
  unit: string;
  surface_level: number;
  northing: number;
  easting: number;
  trigger_level: TriggerLevel;
  trigger_levels: { rising?: Thresholds; falling?: Thresholds };
  last_window: {
    id: string;
    window_start: string;
    window_end: string;
    reading_mean: number;
    reading_min: number;
    reading_max: number;
    reading_count: number;
  };
  derived: null | {
    kind: 'depth_below_surface' | 'piezometric_head';
    label: string;
    unit: string;
    formula: string;
    last_value: number;
  };
}

export interface InstrumentSummary {
  instrument: InstrumentType;
  borehole_number: string;
  unit: string;
  trigger_level: TriggerLevel;
  last_window_end: string;
  last_reading_mean: number;
}

export interface Series {
  from: string;
  to: string;
  bucketMs: number;
  points: Array<{ t: string; mean: number; min: number; max: number; count: number }>;
}

export interface AlertRow {
  id: string;
  instrument: InstrumentType;
  borehole_number: string;
  kind: 'raise' | 'clear';
  direction: 'rising' | 'falling';
  from_level: TriggerLevel;
  to_level: TriggerLevel;
  value: number;
  threshold: number | null;
  unit: string;
  window_id: string;
  window_start: string;
  window_end: string;
}

export interface Overview {
  generated_at: string;
  stale_multiplier: number;
  types: Array<{
    type: InstrumentType;
    unit: string;
    instruments: number;
    reporting: number;
    stale: number;
    clock_skewed: number;
    worst_level: TriggerLevel;
    levels: Record<TriggerLevel, number>;
  }>;
  attention: Array<{
    instrument: InstrumentType;
    borehole_number: string;
    trigger_level: TriggerLevel;
    unit: string;
    last_reading_mean: number;
    last_reading_at: string;
    usual_interval_ms: number | null;
    silent_ms: number;
    stale_after_ms: number;
    stale: boolean;
    clock_status: 'ok' | 'ahead' | 'behind';
    clock_offset_ms: number | null;
  }>;
}

/** A live alert: the Alert wire format (instrument-schemas), the fields the page uses. */
export interface LiveAlert {
  id: string;
  kind: 'raise' | 'clear';
  instrument: InstrumentType;
  borehole_number: string;
  direction: 'rising' | 'falling';
  from_level: TriggerLevel;
  to_level: TriggerLevel;
  threshold: number | null;
  value: number;
  unit: string;
  occurred_at: string;
}

/** A live window: the WindowRecord wire format. */
export type LiveWindow = WindowRow;

export type LiveStatus = 'off' | 'connecting' | 'live' | 'down';
