import type { ValueRange } from './instrument-types';

/**
 * Where an instrument can plausibly be: the ground surface's elevation in metres (the Dead Sea
 * shore is about -430 m, Everest 8,849 m) and site-grid coordinates in metres (a UTM northing
 * reaches 10,000,000). Values outside are corrupt, and refused like an out-of-range reading:
 * every sink stores them, but nobody could act on them, and a standpipe's range is reckoned from
 * its surface level.
 */
export const PLAUSIBLE_POSITION: {
  readonly surface_level: ValueRange;
  readonly northing: ValueRange;
  readonly easting: ValueRange;
} = {
  surface_level: { min: -500, max: 9_000 },
  northing: { min: -10_000_000, max: 10_000_000 },
  easting: { min: -10_000_000, max: 10_000_000 },
};

/**
 * Readings are accepted from years 1900 to 2099 as written. Loggers reset to a factory date
 * (1970, 2000) stay within and are reported as clock problems; year 0000 or 9999 is corruption,
 * and is where PostgreSQL (no year 0) or Elasticsearch and ISO-8601 windows (past 9999) refuse.
 */
export const TIMESTAMP_YEARS: ValueRange = { min: 1900, max: 2099 };
