import fc from 'fast-check';
import { CSV_BOM, csvCell, csvLine } from '../../src/csv/csv';
import { CSV_COLUMNS, windowRowsToCsv, type CsvExportLimits } from '../../src/csv/history-csv';
import type { WindowRow } from '../../src/history/history-query';

const NO_LIMITS: CsvExportLimits = {
  maxRows: Number.MAX_SAFE_INTEGER,
  maxDurationMs: Number.MAX_SAFE_INTEGER,
  now: () => 0,
};

async function* rows(list: readonly WindowRow[]): AsyncGenerator<WindowRow> {
  yield* list;
}

async function collect(chunks: AsyncIterable<string>): Promise<string[]> {
  const out: string[] = [];
  for await (const chunk of chunks) out.push(chunk);
  return out;
}

/** A minimal RFC 4180 reader: the oracle for round trips. */
function parseCsvLine(line: string): string[] {
  const cells: string[] = [];
  let i = 0;
  for (;;) {
    let cell = '';
    if (line[i] === '"') {
      i += 1;
      for (;;) {
        if (line[i] === '"' && line[i + 1] === '"') {
          cell += '"';
          i += 2;
        } else if (line[i] === '"') {
          break;
        } else {
          cell += line[i++];
        }
      }
      i += 1;
    } else {
      while (i < line.length && line[i] !== ',') cell += line[i++];
    }
    cells.push(cell);
    if (i >= line.length) return cells;
    i += 1;
  }
}

describe('CSV cells', () => {
  it('quotes fields with commas, quotes and line breaks, doubling quotes', () => {
    expect(csvCell('a,b')).toBe('"a,b"');
    expect(csvCell('say "hi"')).toBe('"say ""hi"""');
    expect(csvCell('two\nlines')).toBe('"two\nlines"');
  });

  it('defuses text that a spreadsheet would run as a formula', () => {
    expect(csvCell('=HYPERLINK("http://x","y")')).toBe('"\'=HYPERLINK(""http://x"",""y"")"');
    expect(csvCell('+1')).toBe("'+1");
    expect(csvCell('-2+3')).toBe("'-2+3");
    expect(csvCell('@SUM(A1)')).toBe("'@SUM(A1)");
  });

  it('writes numbers as numbers, negative readings included', () => {
    expect(csvCell(-5.25)).toBe('-5.25');
    expect(csvCell(Number.NaN)).toBe('');
  });

  it('writes times as ISO-8601 UTC', () => {
    expect(csvCell(new Date(Date.UTC(2026, 0, 2, 3, 4, 5, 6)))).toBe('2026-01-02T03:04:05.006Z');
  });

  it('round-trips any text through a CSV reader (formula-looking text keeps a leading quote)', () => {
    fc.assert(
      fc.property(
        fc.array(fc.string({ unit: 'grapheme' }), { minLength: 1, maxLength: 5 }),
        (values) => {
          const line = csvLine(values);
          expect(line.endsWith('\r\n')).toBe(true);
          const cells = parseCsvLine(line.slice(0, -2));
          expect(cells).toEqual(values.map((v) => (/^[=+\-@\t\r]/.test(v) ? `'${v}` : v)));
        },
      ),
      { numRuns: 300 },
    );
  });
});

describe('history CSV stream', () => {
  it('writes a BOM and the header first, then one line per row', async () => {
    const row: WindowRow = {
      id: 'piezometer:=cmd:2026-01-01T00:00:00.000Z',
      instrument: 'piezometer',
      borehole_number: '=cmd',
      window_start: new Date('2026-01-01T00:00:00Z'),
      window_end: new Date('2026-01-01T00:00:10Z'),
      reading_mean: -1.5,
      reading_min: -2,
      reading_max: -1,
      reading_count: 2,
      first_timestamp: new Date('2026-01-01T00:00:01Z'),
      last_timestamp: new Date('2026-01-01T00:00:09Z'),
      unit: 'kPa',
      surface_level: 80,
      northing: 1,
      easting: 2,
      trigger_level: 'none',
    };
    const out = (await collect(windowRowsToCsv(rows([row]), NO_LIMITS))).join('');
    const [header, line, end] = out.split('\r\n');
    expect(header).toBe(`${CSV_BOM}${CSV_COLUMNS.join(',')}`);
    expect(
      line?.startsWith(
        "piezometer,'=cmd,2026-01-01T00:00:00.000Z,2026-01-01T00:00:10.000Z,-1.5,-2,-1,2,kPa,none",
      ),
    ).toBe(true);
    expect(end).toBe('');
  });

  it('writes the header even when no row matches', async () => {
    expect((await collect(windowRowsToCsv(rows([]), NO_LIMITS))).join('')).toBe(
      `${CSV_BOM}${CSV_COLUMNS.join(',')}\r\n`,
    );
  });

  const many = (n: number): WindowRow[] =>
    Array.from({ length: n }, (_, i) => ({
      id: `piezometer:BH-${i}:2026-01-01T00:00:00.000Z`,
      instrument: 'piezometer' as const,
      borehole_number: `BH-${i}`,
      window_start: new Date('2026-01-01T00:00:00Z'),
      window_end: new Date('2026-01-01T00:00:10Z'),
      reading_mean: i,
      reading_min: i,
      reading_max: i,
      reading_count: 1,
      first_timestamp: new Date('2026-01-01T00:00:01Z'),
      last_timestamp: new Date('2026-01-01T00:00:01Z'),
      unit: 'kPa',
      surface_level: 80,
      northing: 1,
      easting: 2,
      trigger_level: 'none' as const,
    }));

  it('stops after maxRows with a last line saying so, when there were more', async () => {
    const limits = { ...NO_LIMITS, maxRows: 3 };
    const lines = (await collect(windowRowsToCsv(rows(many(4)), limits))).join('').split('\r\n');
    expect(lines).toHaveLength(1 + 3 + 1 + 1); // header, 3 rows, the note, the final CRLF
    // One quoted cell (it holds a comma); a spreadsheet shows the text.
    expect(lines[4]).toBe(
      '"# export stopped after 3 rows (CSV_MAX_ROWS): there are more rows; narrow the time range or filters, or export in parts"',
    );
    // Exactly maxRows rows: complete, no note.
    const complete = (await collect(windowRowsToCsv(rows(many(3)), limits))).join('');
    expect(complete).not.toContain('export stopped');
  });

  it('stops once maxDurationMs has passed on its clock, with a last line saying so', async () => {
    let clock = 0;
    const limits = { ...NO_LIMITS, maxDurationMs: 5_000, now: () => (clock += 1_000) };
    const lines = (await collect(windowRowsToCsv(rows(many(100)), limits))).join('').split('\r\n');
    expect(lines.at(-2)).toBe(
      '"# export stopped after 5 s (CSV_MAX_DURATION_MS): there are more rows; narrow the time range or filters, or export in parts"',
    );
    expect(lines.length).toBeLessThan(10);
  });
});
