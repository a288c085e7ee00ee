import type { InstrumentType } from './instrument-types';

/**
 * An instrument's identity and Kafka message key: 'instrument:borehole_number'. Instrument type
 * names contain no ':', so the first ':' always separates the two even when a borehole number
 * contains one.
 */
export function instrumentKey(instrument: InstrumentType, boreholeNumber: string): string {
  return `${instrument}:${boreholeNumber}`;
}

/**
 * A window record's id: 'instrument:borehole_number:window_start', window_start as ISO-8601 UTC
 * with milliseconds (always 24 characters), so the id stays unambiguous and sorts by time
 * within one instrument.
 */
export function windowId(
  instrument: InstrumentType,
  boreholeNumber: string,
  windowStartMs: number,
): string {
  return windowIdAt(instrument, boreholeNumber, new Date(windowStartMs).toISOString());
}

/** windowId with the window start already as its ISO-8601 text (Date.prototype.toISOString). */
export function windowIdAt(
  instrument: InstrumentType,
  boreholeNumber: string,
  windowStartIso: string,
): string {
  return `${instrument}:${boreholeNumber}:${windowStartIso}`;
}
