import type { InstrumentClock } from '@geostream/instrument-schemas';
import type { KeyArrival } from '@geostream/windowed-aggregator';

/**
 * An instrument's clock from its arrival model: the smallest recent delay between its readings'
 * timestamps and the times they entered the log is about minus its clock's offset (the reading
 * taken just before an upload arrives soonest), so the offset is -delayLow. Beyond the
 * tolerance either way, the logger needs fixing (local time sent as UTC, drift, a reset).
 * Without log times nothing can be judged: 'ok', offset unknown.
 */
export function clockOf(arrival: KeyArrival | null, toleranceMs: number): InstrumentClock {
  if (arrival === null) return UNKNOWN;
  const offsetMs = -arrival.delayLowMs + 0;
  const status = offsetMs > toleranceMs ? 'ahead' : offsetMs < -toleranceMs ? 'behind' : 'ok';
  return { status, offsetMs };
}

const UNKNOWN: InstrumentClock = Object.freeze({ status: 'ok', offsetMs: null });
