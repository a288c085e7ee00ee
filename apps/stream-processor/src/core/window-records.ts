import {
  INSTRUMENT_SPECS,
  WINDOW_RECORD_SCHEMA_VERSION,
  isInstrumentType,
  windowIdAt,
  type InstrumentType,
} from '@geostream/instrument-schemas';
import type { WindowToEvaluate } from '@geostream/alerting';
import type { ClosedWindow } from '@geostream/windowed-aggregator';
import { eastingOf, northingOf, surfaceLevelOf, type ReadingMeta } from './reading-meta';

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

/**
 * ISO-8601 text of an instant. Windows close in bursts sharing their bounds, so the last few
 * conversions are remembered (a plain cache: the result depends on `ms` alone).
 */
const isoCache = new Map<number, string>();
function iso(ms: number): string {
  let text = isoCache.get(ms);
  if (text === undefined) {
    text = new Date(ms).toISOString();
    if (isoCache.size >= 64) isoCache.clear();
    isoCache.set(ms, text);
  }
  return text;
}

/**
 * The window record of a closed window, before trigger evaluation. Every field derives from
 * event time and the readings, never from the processor's clock, so a replay writes the same
 * record byte for byte.
 */
export function windowRecordOf(window: ClosedWindow<ReadingMeta>): WindowToEvaluate {
  const { instrument, borehole_number } = identityOfKey(window.key);
  const meta = window.latestMeta;
  const windowStart = iso(window.windowStartMs);
  // Keys set in sorted order, trigger_level's place held for the evaluation to fill (a spread
  // keeps it): canonical JSON then writes the record as it is, where it copied it to sort it.
  return {
    borehole_number,
    easting: eastingOf(meta),
    first_timestamp: new Date(window.firstEventTimeMs).toISOString(),
    id: windowIdAt(instrument, borehole_number, windowStart),
    instrument,
    last_timestamp: new Date(window.lastEventTimeMs).toISOString(),
    northing: northingOf(meta),
    reading_count: window.count,
    reading_max: window.max,
    reading_mean: window.mean,
    reading_min: window.min,
    schema_version: WINDOW_RECORD_SCHEMA_VERSION,
    surface_level: surfaceLevelOf(meta),
    trigger_level: undefined,
    unit: INSTRUMENT_SPECS[instrument].unit,
    window_end: iso(window.windowEndMs),
    window_start: windowStart,
  };
}
