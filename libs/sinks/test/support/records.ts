import {
  ALERT_SCHEMA_VERSION,
  INSTRUMENT_SPECS,
  WINDOW_RECORD_SCHEMA_VERSION,
  alertId,
  windowId,
  type Alert,
  type InstrumentType,
  type WindowRecord,
} from '@geostream/instrument-schemas';

const iso = (ms: number) => new Date(ms).toISOString();

/** A valid window record; `startMs` picks the window, overrides change any field. */
export function windowRecord(
  options: {
    instrument?: InstrumentType;
    borehole?: string;
    startMs?: number;
    sizeMs?: number;
  } & Partial<WindowRecord> = {},
): WindowRecord {
  const {
    instrument = 'piezometer',
    borehole = 'BH-1',
    startMs = Date.UTC(2022, 4, 2, 8, 2, 20),
    sizeMs = 10_000,
    ...overrides
  } = options;
  return {
    schema_version: WINDOW_RECORD_SCHEMA_VERSION,
    id: windowId(instrument, borehole, startMs),
    instrument,
    borehole_number: borehole,
    window_start: iso(startMs),
    window_end: iso(startMs + sizeMs),
    reading_mean: 75.25,
    reading_min: 70.5,
    reading_max: 80,
    reading_count: 4,
    first_timestamp: iso(startMs + 73),
    last_timestamp: iso(startMs + 9_000),
    unit: INSTRUMENT_SPECS[instrument].unit,
    surface_level: 79.45,
    northing: 5_815_854.5,
    easting: 323_112.25,
    trigger_level: 'none',
    ...overrides,
  };
}

/** `count` windows of consecutive instruments and windows, all distinct keys. */
export function windowRecords(
  count: number,
  options: { instruments?: number; startMs?: number } = {},
): WindowRecord[] {
  const instruments = options.instruments ?? 100;
  const startMs = options.startMs ?? Date.UTC(2022, 4, 2);
  return Array.from({ length: count }, (_, i) =>
    windowRecord({
      borehole: `BH-${i % instruments}`,
      startMs: startMs + Math.floor(i / instruments) * 10_000,
      reading_mean: 50 + (i % 97) / 7,
      reading_count: 1 + (i % 9),
    }),
  );
}

/** A raise of the rising band to `toLevel`, caused by `window`. */
export function alertFor(window: WindowRecord, overrides: Partial<Alert> = {}): Alert {
  const toLevel = overrides.to_level ?? 'alert';
  return {
    schema_version: ALERT_SCHEMA_VERSION,
    id: alertId(window.id, 'rising', 'raise', toLevel),
    kind: 'raise',
    instrument: window.instrument,
    borehole_number: window.borehole_number,
    direction: 'rising',
    from_level: 'none',
    to_level: toLevel,
    threshold: 250,
    value: window.reading_mean,
    unit: window.unit,
    occurred_at: window.window_end,
    trigger_levels: { rising: { alert: 250, alarm: 300, action: 350 } },
    window: { ...window, trigger_level: toLevel },
    ...overrides,
  };
}

/** items[i], or a test failure if there is none (keeps tests free of `!`). */
export function nth<T>(items: readonly T[], i: number): T {
  const item = items[i];
  if (item === undefined) throw new Error(`no item at ${i} of ${items.length}`);
  return item;
}
