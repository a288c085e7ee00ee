import fc from 'fast-check';
import {
  READING_WINDOW_UPSERT,
  INSTRUMENT_STATE_UPSERT,
  PROCESSOR_INSTRUMENT_CHECKPOINT_UPSERT,
} from '../../src/postgres/upsert-specs';
import {
  MAX_BIND_PARAMETERS,
  arrayLiteral,
  maxValuesRows,
  unnestUpsert,
  valuesUpsert,
} from '../../src/postgres/upsert-statement';
import { windowRecordToRow } from '../../src';
import { windowRecords } from '../support/records';

const placeholders = (sql: string) => (sql.match(/\?/g) ?? []).length;

describe('unnest upsert', () => {
  it('binds one array per column however many rows, so it never nears the parameter limit', () => {
    const rows = windowRecords(10_000).map(windowRecordToRow);
    const statement = unnestUpsert('s', READING_WINDOW_UPSERT, rows);
    expect(statement.bindings).toHaveLength(READING_WINDOW_UPSERT.columns.length);
    expect(placeholders(statement.sql)).toBe(READING_WINDOW_UPSERT.columns.length);
    expect(statement.bindings[0]).toEqual(arrayLiteral(rows.map((r) => r.id)));
  });

  it('writes each column as a PostgreSQL array literal: text quoted and escaped, numbers bare, NULL', () => {
    expect(arrayLiteral(['a b', 'x"y', 'p\\q', null, 'NULL', '', '{,}', undefined])).toBe(
      '{"a b","x\\"y","p\\\\q",NULL,"NULL","","{,}",NULL}',
    );
    expect(arrayLiteral([1.5, -0, 1e21, 5e-324, 0.1 + 0.2, null])).toBe(
      '{1.5,0,1e+21,5e-324,0.30000000000000004,NULL}',
    );
    expect(arrayLiteral([])).toBe('{}');
    expect(() => arrayLiteral([new Date(0)])).toThrow(TypeError);
    expect(() => arrayLiteral(['a', new Date(0)])).toThrow(TypeError);
  });

  it('writes a column of plain text, of numbers or of anything as element by element would', () => {
    const element = (value: unknown): string =>
      value === null || value === undefined
        ? 'NULL'
        : typeof value === 'string'
          ? `"${value.replace(/["\\]/g, '\\$&')}"`
          : String(value);
    const text = fc.oneof(fc.string(), fc.constantFrom('a"b', 'c\\d', '', 'NULL', '{,}'));
    const number = fc.oneof(fc.double(), fc.integer(), fc.constant(-0));
    fc.assert(
      fc.property(
        fc.oneof(
          fc.array(text, { maxLength: 30 }), // the joined path when nothing needs escaping
          fc.array(number, { maxLength: 30 }), // the joined path for numbers
          fc.array(fc.oneof(text, number, fc.constant(null), fc.boolean()), { maxLength: 30 }),
        ),
        (values) => {
          expect(arrayLiteral(values)).toBe(`{${values.map(element).join(',')}}`);
        },
      ),
      { numRuns: 1_000 },
    );
  });

  it('updates every column but the key from the new row, and stamps written_at', () => {
    const { sql } = unnestUpsert('s', READING_WINDOW_UPSERT, []);
    expect(sql).toContain(
      'on conflict ("instrument", "borehole_number", "window_start") do update set',
    );
    expect(sql).toContain('"reading_mean" = excluded."reading_mean"');
    expect(sql).not.toContain('"instrument" = excluded');
    expect(sql).toContain('"written_at" = now()');
    expect(sql).toContain('insert into "s"."reading_window" as t');
  });

  it('sends jsonb values as JSON text, an array as a JSON array, not a PostgreSQL one', () => {
    const row = (instrument_key: string, state: unknown) => ({
      consumer_group: 'g',
      topic: 't',
      partition: 0,
      instrument_key,
      state,
    });
    const statement = unnestUpsert('s', PROCESSOR_INSTRUMENT_CHECKPOINT_UPSERT, [
      row('a', [1, [2, null]]),
      row('b', { v: 'x' }),
      row('c', '{"already":"text"}'),
    ]);
    const states = statement.bindings[PROCESSOR_INSTRUMENT_CHECKPOINT_UPSERT.columns.length - 1];
    expect(states).toEqual(arrayLiteral(['[1,[2,null]]', '{"v":"x"}', '{"already":"text"}']));
  });

  it('adds the forward-only condition for instrument_state', () => {
    const { sql } = unnestUpsert('s', INSTRUMENT_STATE_UPSERT, []);
    expect(sql).toMatch(/where excluded\.last_window_start >= t\.last_window_start$/);
  });
});

describe('values upsert', () => {
  it('binds one parameter per cell', () => {
    const rows = windowRecords(3).map(windowRecordToRow);
    const statement = valuesUpsert('s', READING_WINDOW_UPSERT, rows);
    expect(statement.bindings).toHaveLength(3 * READING_WINDOW_UPSERT.columns.length);
    expect(placeholders(statement.sql)).toBe(statement.bindings.length);
  });

  it('caps rows per statement under 65,535 parameters and refuses more', () => {
    const max = maxValuesRows(READING_WINDOW_UPSERT as never);
    expect(max * READING_WINDOW_UPSERT.columns.length).toBeLessThanOrEqual(MAX_BIND_PARAMETERS);
    expect((max + 1) * READING_WINDOW_UPSERT.columns.length).toBeGreaterThan(MAX_BIND_PARAMETERS);
    const rows = windowRecords(max + 1).map(windowRecordToRow);
    expect(() => valuesUpsert('s', READING_WINDOW_UPSERT, rows)).toThrow(RangeError);
  });

  it('quotes the schema, whatever it is called', () => {
    expect(valuesUpsert('we"ird-1', READING_WINDOW_UPSERT, []).sql).toContain(
      '"we""ird-1"."reading_window"',
    );
  });
});
