/**
 * An instrument's clock as the pipeline judges it, from the delay between its readings' own
 * timestamps and the times they entered the log: 'ahead' or 'behind' by more than the site's
 * tolerance means someone should fix the logger (local time sent as UTC, drift, a reset).
 */
export const CLOCK_STATUSES = ['ok', 'ahead', 'behind'] as const;

export type ClockStatus = (typeof CLOCK_STATUSES)[number];

/** An instrument's clock as judged when one of its windows closed. */
export interface InstrumentClock {
  readonly status: ClockStatus;
  /** Estimated offset in ms, positive = ahead; null when unknown (no log times). */
  readonly offsetMs: number | null;
}
