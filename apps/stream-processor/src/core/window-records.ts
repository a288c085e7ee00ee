import {
  INSTRUMENT_SPECS,
  WINDOW_RECORD_SCHEMA_VERSION,
  isInstrumentType,
  windowId,
  type InstrumentType,
} from '@geostream/instrument-schemas';
import type { WindowToEvaluate } from '@geostream/alerting';
import type { ClosedWindow } from '@geostream/windowed-aggregator';
import type { ReadingMeta } from './reading-meta';

/** An aggregation key ('instrument:borehole_number') split back into its two parts. */
export interface InstrumentIdentity {
  readonly instrument: InstrumentType;
  readonly borehole_number: string;
}

/**
 * Instrument type names contain no ':', so the first ':' separates type and borehole number
 * even when the borehole number holds one (see instrumentKey).
 */
export function identityOfKey(key: string): InstrumentIdentity {
  const colon = key.indexOf(':');
  const instrument = key.slice(0, colon);
  if (colon < 0 || !isInstrumentType(instrument))
    throw new Error(`not an instrument key: ${JSON.stringify(key)}`);
  return { instrument, borehole_number: key.slice(colon + 1) };
}

const iso = (ms: number): string => new Date(ms).toISOString();

/**
 * The window record of a closed window, before trigger evaluation. Every field derives from
 * event time and the readings, never from the processor's clock, so a replay writes the same
 * record byte for byte.
 */
export function windowRecordOf(window: ClosedWindow<ReadingMeta>): WindowToEvaluate {
  const { instrument, borehole_number } = identityOfKey(window.key);
  const meta = window.latestMeta;
  return {
    schema_version: WINDOW_RECORD_SCHEMA_VERSION,
    id: windowId(instrument, borehole_number, window.windowStartMs),
    instrument,
    borehole_number,
    window_start: iso(window.windowStartMs),
    window_end: iso(window.windowEndMs),
    reading_mean: window.mean,
    reading_min: window.min,
    reading_max: window.max,
    reading_count: window.count,
    first_timestamp: iso(window.firstEventTimeMs),
    last_timestamp: iso(window.lastEventTimeMs),
    unit: INSTRUMENT_SPECS[instrument].unit,
    surface_level: meta.surface_level,
    northing: meta.northing,
    easting: meta.easting,
  };
}
