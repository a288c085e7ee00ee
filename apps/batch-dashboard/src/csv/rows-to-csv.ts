import { Transform } from 'node:stream';
import { CSV_BOM, csvLine, type CsvValue } from './csv';

/**
 * Rows (objects) to CSV text with these columns in this order, header first (also with no
 * row); backpressure passes through. Dates are written as ISO-8601 UTC.
 */
export function rowsToCsv<Column extends string>(columns: readonly Column[]): Transform {
  let headerWritten = false;
  const header = (): string =>
    headerWritten ? '' : ((headerWritten = true), CSV_BOM + csvLine(columns));
  return new Transform({
    writableObjectMode: true,
    readableObjectMode: false,
    transform(row: Record<Column, CsvValue>, _encoding, callback) {
      callback(null, header() + csvLine(columns.map((column) => row[column])));
    },
    flush(callback) {
      callback(null, header());
    },
  });
}
