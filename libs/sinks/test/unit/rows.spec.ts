import fc from 'fast-check';
import {
  READING_WINDOW_COLUMNS,
  alertToRow,
  instrumentStateFromWindow,
  readingWindowRowToRecord,
  windowRecordToRow,
} from '../../src';
import { windowRecordArbitrary } from '../support/arbitraries';
import { alertFor, windowRecord } from '../support/records';

describe('window record <-> reading_window row', () => {
  it('round-trips every record through a row as node-postgres returns it (Date timestamps)', () => {
    fc.assert(
      fc.property(windowRecordArbitrary, (record) => {
        const values = windowRecordToRow(record);
        const asRead = {
          ...values,
          window_start: new Date(values.window_start),
          window_end: new Date(values.window_end),
          first_timestamp: new Date(values.first_timestamp),
          last_timestamp: new Date(values.last_timestamp),
          written_at: new Date(0),
        };
        expect(readingWindowRowToRecord(asRead)).toEqual(record);
      }),
      { numRuns: 200 },
    );
  });

  it('accepts timestamps read back as text too', () => {
    const record = windowRecord();
    const row = { ...windowRecordToRow(record), window_start: '2022-05-02 08:02:20+00' };
    expect(readingWindowRowToRecord(row).window_start).toBe(record.window_start);
  });

  it('writes exactly the table columns the database sets nothing for', () => {
    const written = Object.keys(windowRecordToRow(windowRecord())).sort();
    expect(written).toEqual(READING_WINDOW_COLUMNS.filter((c) => c !== 'written_at').sort());
  });
});

describe('alert -> alert_event row', () => {
  it('copies the alert and keeps it whole as JSON', () => {
    const alert = alertFor(windowRecord(), { threshold: null });
    const row = alertToRow(alert);
    expect(row).toMatchObject({
      id: alert.id,
      kind: 'raise',
      window_id: alert.window.id,
      window_start: alert.window.window_start,
      window_end: alert.window.window_end,
      threshold: null,
      occurred_at: alert.occurred_at,
    });
    expect(JSON.parse(row.payload)).toEqual(alert);
  });
});

describe('instrument_state from a window', () => {
  it('records the window as the instrument latest, with the last reading time', () => {
    const record = windowRecord({ trigger_level: 'alarm' });
    expect(instrumentStateFromWindow(record)).toMatchObject({
      instrument: record.instrument,
      borehole_number: record.borehole_number,
      last_window_id: record.id,
      last_window_start: record.window_start,
      last_reading_mean: record.reading_mean,
      last_reading_count: record.reading_count,
      last_reading_at: record.last_timestamp,
      trigger_level: 'alarm',
    });
  });
});
