import { CSV_BOM, csvLine, type CsvValue } from './csv';
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

export interface CsvExportLimits {
  /** Rows written at most; the export ends with a line saying so when there were more. */
  readonly maxRows: number;
  /** The export ends, with a line saying so, once this much time has passed since it started. */
  readonly maxDurationMs: number;
  readonly now: () => number;
}

/** Why an export stopped early, as its last line says. */
export type CsvStop = 'rows' | 'time';

/** The last line of an export cut short: one cell a person reads in the spreadsheet. */
export function csvStopLine(stop: CsvStop, limits: CsvExportLimits): string {
  const reason =
    stop === 'rows'
      ? `export stopped after ${limits.maxRows.toLocaleString('en')} rows (CSV_MAX_ROWS)`
      : `export stopped after ${Math.round(limits.maxDurationMs / 1000)} s (CSV_MAX_DURATION_MS)`;
  return csvLine([
    `# ${reason}: there are more rows; narrow the time range or filters, or export in parts`,
  ]);
}

/** Lines are sent in chunks of about this size: fewer writes than one per row. */
const CHUNK_CHARS = 64 * 1024;

/**
 * Rows to CSV text with these columns in this order, header first (even with no row), in
 * chunks; stops at the first limit reached with a line saying which. Returning early makes the
 * pipeline destroy the row stream, which closes the database cursor.
 */
export async function* rowsToCsv<Row extends Record<string, CsvValue>>(
  columns: readonly (keyof Row & string)[],
  rows: AsyncIterable<Row>,
  limits: CsvExportLimits,
): AsyncGenerator<string> {
  const started = limits.now();
  let chunk = CSV_BOM + csvLine(columns);
  let written = 0;
  for await (const row of rows) {
    const stop: CsvStop | undefined =
      written >= limits.maxRows
        ? 'rows'
        : limits.now() - started > limits.maxDurationMs
          ? 'time'
          : undefined;
    if (stop !== undefined) {
      yield chunk + csvStopLine(stop, limits);
      return;
    }
    chunk += csvLine(columns.map((column) => row[column]));
    written++;
    if (chunk.length >= CHUNK_CHARS) {
      yield chunk;
      chunk = '';
    }
  }
  yield chunk;
}

/** Window rows in the history export's columns (rowsToCsv). */
export function windowRowsToCsv(
  rows: AsyncIterable<WindowRow>,
  limits: CsvExportLimits,
): AsyncGenerator<string> {
  return rowsToCsv(
    CSV_COLUMNS,
    rows as AsyncIterable<WindowRow & Record<string, CsvValue>>,
    limits,
  );
}
