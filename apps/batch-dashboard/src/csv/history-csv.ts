import { Transform } from 'node:stream';
import { CSV_BOM, csvLine } from './csv';
import type { WindowRow } from '../history/history-query';

/** The export's columns, in order: the window record as engineers read it. */
export const CSV_COLUMNS = [
  'instrument',
  'borehole_number',
  'window_start',
  'window_end',
  'reading_mean',
  'reading_min',
  'reading_max',
  'reading_count',
  'unit',
  'trigger_level',
  'surface_level',
  'northing',
  'easting',
  'first_timestamp',
  'last_timestamp',
  'id',
] as const satisfies ReadonlyArray<keyof WindowRow>;

/** Turns a stream of window rows into CSV text, header first; backpressure passes through. */
export function windowRowsToCsv(): Transform {
  let headerWritten = false;
  const header = (): string =>
    headerWritten ? '' : ((headerWritten = true), CSV_BOM + csvLine(CSV_COLUMNS));
  return new Transform({
    writableObjectMode: true,
    readableObjectMode: false,
    transform(row: WindowRow, _encoding, callback) {
      callback(null, header() + csvLine(CSV_COLUMNS.map((column) => row[column])));
    },
    flush(callback) {
      callback(null, header());
    },
  });
}
