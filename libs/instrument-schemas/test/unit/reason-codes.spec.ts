import {
  REASON_CODES,
  buildDeadLetter,
  decodeRawMessage,
  parseSiteConfig,
  validateReading,
  validateWindowRecord,
  type ReasonCode,
} from '../../src';
import { exampleReadingMessage } from '../../src/testing';

const reading = exampleReadingMessage();
const levels = { rising: { alert: 1, alarm: 2, action: 3 } };

function codes(result: { ok: boolean; problems?: readonly { code: ReasonCode }[] }): ReasonCode[] {
  return result.ok ? [] : (result.problems ?? []).map((p) => p.code);
}
const decoded = (input: string | Uint8Array, maxBytes?: number) =>
  decodeRawMessage(input, maxBytes === undefined ? {} : { maxBytes }).problems.map((p) => p.code);

// One input per reason code, through the function that produces it. A new code must be added
// here, so every code has at least one test.
const producers: Record<ReasonCode, () => ReasonCode[]> = {
  not_json: () => decoded('{"borehole_number": "BH-1",'),
  not_an_object: () => decoded('[1, 2, 3]'),
  payload_too_large: () => decoded(JSON.stringify(reading), 64),
  unsupported_version: () => codes(validateReading({ ...reading, version: 2 })),
  missing_field: () => codes(validateReading({ ...reading, easting: undefined })),
  null_value: () => codes(validateReading({ ...reading, easting: null })),
  empty_string: () => codes(validateReading({ ...reading, borehole_number: '' })),
  wrong_type: () => codes(validateReading({ ...reading, easting: '323112' })),
  non_finite_number: () => decoded(JSON.stringify(reading).replace('75.07', 'NaN')),
  invalid_timestamp: () => codes(validateReading({ ...reading, timestamp: '02/05/2022' })),
  timestamp_without_zone: () =>
    codes(validateReading({ ...reading, timestamp: '2022-05-02T08:02:20' })),
  timestamp_out_of_range: () =>
    codes(validateReading({ ...reading, timestamp: '0000-01-01T00:00:00Z' })),
  unknown_instrument: () => codes(validateReading({ ...reading, instrument: 'tiltmeter' })),
  out_of_physical_range: () => codes(validateReading({ ...reading, reading: 10 })),
  unknown_field: () => codes(parseSiteConfig({ version: 1, levels: {} })),
  invalid_value: () =>
    codes(validateWindowRecord({ schema_version: 1, ...windowRecord(), reading_count: 0 })),
  invalid_threshold_order: () =>
    codes(
      parseSiteConfig({
        version: 1,
        defaults: { piezometer: { rising: { alert: 3, alarm: 2, action: 1 } } },
      }),
    ),
  duplicate_entry: () => {
    const entry = { instrument: 'piezometer', borehole_number: 'P-1', trigger_levels: levels };
    return codes(parseSiteConfig({ version: 1, instruments: [entry, entry] }));
  },
  late: () => [deadLetter('late').reason],
  sink_rejected: () => [deadLetter('sink_rejected').reason],
};

function windowRecord() {
  return {
    id: 'piezometer:P-1:2022-05-02T08:02:20.000Z',
    instrument: 'piezometer',
    borehole_number: 'P-1',
    window_start: '2022-05-02T08:02:20.000Z',
    window_end: '2022-05-02T08:02:30.000Z',
    reading_mean: 1,
    reading_min: 1,
    reading_max: 1,
    reading_count: 1,
    first_timestamp: '2022-05-02T08:02:21.000Z',
    last_timestamp: '2022-05-02T08:02:21.000Z',
    unit: 'kPa',
    surface_level: 79.45,
    northing: 1,
    easting: 1,
    trigger_level: 'none',
  };
}

function deadLetter(reason: ReasonCode) {
  return buildDeadLetter({
    source: { topic: 'readings', partition: 0, offset: '42' },
    payload: JSON.stringify(reading),
    reason,
    message: reason,
    deadLetteredAtMs: 0,
  });
}

describe('reason codes', () => {
  it.each(REASON_CODES.map((code) => [code]))('%s is produced for its case', (code) => {
    expect(producers[code]()).toEqual([code]);
  });
});
