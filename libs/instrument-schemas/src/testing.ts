// Test helpers for projects that use these formats (import '@geostream/instrument-schemas/testing').
// Not part of the published build: it depends on fast-check, a dev dependency.
import fc from 'fast-check';
import {
  INSTRUMENT_SPECS,
  INSTRUMENT_TYPES,
  physicalRangeFor,
  type InstrumentType,
} from './instrument-types';
import type { ReadingMessage } from './schemas/reading';
import { alertId, clockSkewAlarmId, noDataAlarmId, rateAlarmId } from './alert-id';
import { windowId } from './identity';
import type { AlarmCondition, AlarmEvent } from './schemas/alarm-event';
import type { AlertKind } from './schemas/alert';
import type { TriggerDirection, TriggerLevel } from './schemas/trigger-levels';

/** The reference API's example reading. */
export function exampleReadingMessage(overrides: Partial<ReadingMessage> = {}): ReadingMessage {
  return {
    borehole_number: 'BH-4493',
    instrument: 'water_standpipe',
    surface_level: 79.45,
    northing: 5815854,
    easting: 323112,
    reading: 75.07,
    timestamp: '2022-05-02T08:02:20.073Z',
    ...overrides,
  };
}

// Within TIMESTAMP_YEARS whatever the zone offset (up to a day either way) makes of the date.
const MIN_MS = Date.UTC(1970, 0, 1);
const MAX_MS = Date.UTC(2099, 11, 30);

export interface GeneratedTimestamp {
  /** An RFC 3339 date-time with a zone, in one of the accepted spellings. */
  readonly text: string;
  /** The instant it denotes, truncated to milliseconds. */
  readonly ms: number;
}

const pad = (n: number, width: number) => String(n).padStart(width, '0');

/**
 * Zoned timestamps in every accepted spelling: 'T', 't' or ' ' separator, 0 to 9 fraction
 * digits, 'Z', 'z' or a ±hh:mm offset. `ms` is computed independently of the parser.
 */
export function zonedTimestampArbitrary(
  options: { canonical?: boolean } = {},
): fc.Arbitrary<GeneratedTimestamp> {
  const instant = fc.integer({ min: MIN_MS, max: MAX_MS });
  if (options.canonical) {
    return instant.map((ms) => ({ text: new Date(ms).toISOString(), ms }));
  }
  return fc
    .record({
      ms: instant,
      offsetMinutes: fc.oneof(
        fc.constant(0),
        fc.integer({ min: -(23 * 60 + 59), max: 23 * 60 + 59 }),
      ),
      zoneStyle: fc.constantFrom('Z', 'z', 'offset'),
      separator: fc.constantFrom('T', 't', ' '),
      fractionDigits: fc.integer({ min: 0, max: 9 }),
      extraDigits: fc.integer({ min: 0, max: 999_999 }),
    })
    .map(({ ms, offsetMinutes, zoneStyle, separator, fractionDigits, extraDigits }) => {
      const offset = zoneStyle === 'offset' ? offsetMinutes : 0;
      const local = new Date(ms + offset * 60_000).toISOString(); // wall-clock time at the offset
      const millis = local.slice(20, 23);
      const shown = Math.min(fractionDigits, 3);
      const fraction =
        fractionDigits === 0
          ? ''
          : `.${millis.slice(0, shown)}${pad(extraDigits, 6).slice(0, fractionDigits - shown)}`;
      const zone =
        zoneStyle === 'offset'
          ? `${offset < 0 ? '-' : '+'}${pad(Math.floor(Math.abs(offset) / 60), 2)}:${pad(Math.abs(offset) % 60, 2)}`
          : zoneStyle;
      const text = `${local.slice(0, 10)}${separator}${local.slice(11, 19)}${fraction}${zone}`;
      const droppedMs = Number(millis) % 10 ** (3 - shown);
      return { text, ms: ms - droppedMs };
    });
}

export interface GeneratedReading {
  /** A valid reading as a sender would put it on the wire. */
  readonly message: ReadingMessage;
  /** Its timestamp in UTC milliseconds, computed independently of the validator. */
  readonly timestampMs: number;
}

/** A finite double inside [min, max], kept clear of the bounds by `margin` (rounding). */
function within(min: number, max: number, margin: number): fc.Arbitrary<number> {
  return fc.double({ min: min + margin, max: max - margin, noNaN: true, noDefaultInfinity: true });
}

/**
 * Valid readings of every type (or one), with plausible values and any accepted timestamp
 * spelling. Water standpipe readings respect the range relative to their surface level.
 */
export function readingMessageArbitrary(
  options: {
    instrument?: InstrumentType;
    canonicalTimestamps?: boolean;
    withVersion?: boolean;
  } = {},
): fc.Arbitrary<GeneratedReading> {
  const instrument = options.instrument
    ? fc.constant(options.instrument)
    : fc.constantFrom(...INSTRUMENT_TYPES);
  const boreholeNumber = fc.oneof(
    fc.integer({ min: 1, max: 99_999 }).map((n) => `BH-${n}`),
    fc.string({ minLength: 1, maxLength: 20 }).filter((s) => /\S/.test(s)),
  );
  return fc
    .record({
      instrument,
      borehole_number: boreholeNumber,
      surface_level: within(-50, 3000, 0),
      northing: within(5_810_000, 5_816_000, 0),
      easting: within(316_045, 325_000, 0),
      position: fc.double({ min: 0, max: 1, noNaN: true }),
      timestamp: zonedTimestampArbitrary({ canonical: options.canonicalTimestamps ?? false }),
      version: options.withVersion === undefined ? fc.boolean() : fc.constant(options.withVersion),
    })
    .map((r) => {
      const range = physicalRangeFor(r.instrument, r.surface_level);
      // Stay a hair inside the range: a bound plus a surface level is not exact in binary.
      const margin = INSTRUMENT_SPECS[r.instrument].physicalRange.relativeTo ? 1e-6 : 0;
      const reading = range.min + margin + r.position * (range.max - range.min - 2 * margin);
      const message: ReadingMessage = {
        ...(r.version ? { version: 1 } : {}),
        borehole_number: r.borehole_number,
        instrument: r.instrument,
        surface_level: r.surface_level,
        northing: r.northing,
        easting: r.easting,
        reading: Math.min(Math.max(reading, range.min + margin), range.max - margin),
        timestamp: r.timestamp.text,
      };
      return { message, timestampMs: r.timestamp.ms };
    });
}

export interface ExampleAlarmEventOptions {
  /** When it happened (the causing window's end, or log time), ms. */
  readonly atMs: number;
  readonly instrument?: InstrumentType;
  readonly borehole?: string;
  /** Default: raise when `to` is above `from`, clear otherwise. */
  readonly kind?: AlertKind;
  readonly from?: TriggerLevel;
  readonly to?: TriggerLevel;
  /** Level and rate events only. Default rising. */
  readonly direction?: TriggerDirection;
  /** no_data only: the log time of the last delivery (default: 3 h before atMs). */
  readonly silentSinceMs?: number;
}

const LEVEL_ORDER: readonly TriggerLevel[] = ['none', 'alert', 'alarm', 'action'];

/**
 * A valid alarm event of any condition, as the stream-processor writes them to the alerts topic
 * (ids derived from the cause as the real ones are), for tests of the apps that consume them.
 * Defaults: a piezometer P-1 raise from none to alarm.
 */
export function exampleAlarmEvent(
  condition: AlarmCondition,
  options: ExampleAlarmEventOptions,
): AlarmEvent {
  const instrument = options.instrument ?? 'piezometer';
  const borehole = options.borehole ?? 'P-1';
  const from = options.from ?? 'none';
  const to = options.to ?? 'alarm';
  const kind =
    options.kind ?? (LEVEL_ORDER.indexOf(to) > LEVEL_ORDER.indexOf(from) ? 'raise' : 'clear');
  const direction = options.direction ?? 'rising';
  const at = new Date(options.atMs).toISOString();
  const unit = INSTRUMENT_SPECS[instrument].unit;
  const common = {
    schema_version: 1 as const,
    kind,
    instrument,
    borehole_number: borehole,
    from_level: from,
    to_level: to,
    occurred_at: at,
  };
  const windowStartMs = options.atMs - 10_000;
  const window = {
    schema_version: 1 as const,
    id: windowId(instrument, borehole, windowStartMs),
    instrument,
    borehole_number: borehole,
    window_start: new Date(windowStartMs).toISOString(),
    window_end: at,
    reading_mean: 250,
    reading_min: 249,
    reading_max: 251,
    reading_count: 3,
    first_timestamp: new Date(windowStartMs + 1_000).toISOString(),
    last_timestamp: new Date(windowStartMs + 9_000).toISOString(),
    unit,
    surface_level: 80,
    northing: 5_812_000,
    easting: 320_000,
    trigger_level: kind === 'raise' ? to : from === 'none' ? 'none' : to,
  };
  switch (condition) {
    case 'level':
      return {
        ...common,
        condition: 'level',
        id: alertId(window.id, direction, kind, to),
        direction,
        threshold: 240,
        value: 250,
        unit,
        trigger_levels: { [direction]: { alert: 200, alarm: 240, action: 300 } },
        window,
      };
    case 'rate':
      return {
        ...common,
        condition: 'rate',
        id: rateAlarmId(window.id, direction, kind, to),
        direction,
        threshold: direction === 'rising' ? 2 : -2,
        value: direction === 'rising' ? 2.5 : -2.5,
        unit: `${unit}/day`,
        interval_ms: 86_400_000,
        span_ms: 80_000_000,
        rate_rule: { direction, over: '24h', unit: `${unit}/day`, alert: 1, alarm: 2, action: 4 },
        window,
      };
    case 'no_data': {
      const since = new Date(options.silentSinceMs ?? options.atMs - 3 * 3_600_000).toISOString();
      return {
        ...common,
        condition: 'no_data',
        id: noDataAlarmId(instrument, borehole, since, kind, to),
        silent_since: since,
        expected_interval_ms: 900_000,
        interval_source: 'configured',
        multiplier: 3,
      };
    }
    case 'clock_skew':
      return {
        ...common,
        condition: 'clock_skew',
        id: clockSkewAlarmId(instrument, borehole, at, kind, to),
        clock_status: kind === 'raise' ? 'ahead' : 'ok',
        offset_ms: kind === 'raise' ? 3_600_000 : 2_000,
        limit_ms: 300_000,
      };
  }
}
