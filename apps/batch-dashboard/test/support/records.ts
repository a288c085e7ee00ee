import {
  INSTRUMENT_SPECS,
  alertId,
  windowId,
  type Alert,
  type InstrumentType,
  type TriggerLevel,
  type WindowRecord,
} from '@geostream/instrument-schemas';

/** A valid window record (instrument-schemas' format), for the sinks and the Kafka topics. */
export function makeWindow(options: {
  instrument: InstrumentType;
  borehole: string;
  startMs: number;
  mean: number;
  level?: TriggerLevel;
  surfaceLevel?: number;
  easting?: number;
  northing?: number;
}): WindowRecord {
  const start = new Date(options.startMs).toISOString();
  return {
    schema_version: 1,
    id: windowId(options.instrument, options.borehole, options.startMs),
    instrument: options.instrument,
    borehole_number: options.borehole,
    window_start: start,
    window_end: new Date(options.startMs + 10_000).toISOString(),
    reading_mean: options.mean,
    reading_min: options.mean - 1,
    reading_max: options.mean + 1,
    reading_count: 3,
    first_timestamp: new Date(options.startMs + 1_000).toISOString(),
    last_timestamp: new Date(options.startMs + 9_000).toISOString(),
    unit: INSTRUMENT_SPECS[options.instrument].unit,
    surface_level: options.surfaceLevel ?? 80,
    northing: options.northing ?? 5_812_000,
    easting: options.easting ?? 320_000,
    trigger_level: options.level ?? 'none',
  };
}

/** The rising raise alert a window at `level` causes, with piezometer-style default levels. */
export function makeRaise(
  window: WindowRecord,
  level: Exclude<TriggerLevel, 'none'>,
  threshold: number,
): Alert {
  return {
    schema_version: 1,
    id: alertId(window.id, 'rising', 'raise', level),
    kind: 'raise',
    instrument: window.instrument,
    borehole_number: window.borehole_number,
    direction: 'rising',
    from_level: 'none',
    to_level: level,
    threshold,
    value: window.reading_mean,
    unit: window.unit,
    occurred_at: window.window_end,
    trigger_levels: {
      rising: { alert: threshold, alarm: threshold + 50, action: threshold + 100 },
    },
    window,
  };
}
