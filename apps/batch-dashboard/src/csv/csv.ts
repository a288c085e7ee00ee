/**
 * CSV as RFC 4180 (CRLF lines, fields with a quote, comma or line break quoted, quotes doubled),
 * made safe to open in a spreadsheet: a text cell starting with = + - @ (or a tab or carriage
 * return) is a formula to Excel, so it is prefixed with a single quote. Numbers are written as
 * numbers (a negative reading stays -5.2). Pure: rows in, text out.
 */
export type CsvValue = string | number | Date | null | undefined;

/** Excel needs the byte-order mark to read UTF-8 (units such as µε). */
export const CSV_BOM = '\uFEFF';

const FORMULA_START = /^[=+\-@\t\r]/;
const NEEDS_QUOTES = /[",\r\n]|^\s|\s$/;

export function csvCell(value: CsvValue): string {
  if (value === null || value === undefined) return '';
  if (typeof value === 'number') return Number.isFinite(value) ? String(value) : '';
  if (value instanceof Date) return value.toISOString();
  const safe = FORMULA_START.test(value) ? `'${value}` : value;
  return NEEDS_QUOTES.test(safe) ? `"${safe.replace(/"/g, '""')}"` : safe;
}

export function csvLine(values: readonly CsvValue[]): string {
  return `${values.map(csvCell).join(',')}\r\n`;
}
