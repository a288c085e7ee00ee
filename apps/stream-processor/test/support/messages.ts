import type { InstrumentType } from '@geostream/instrument-schemas';
import type { RawMessage } from '../../src/core/raw-message';

/** 2024-01-01T00:00:00Z: test timelines count milliseconds from here. */
export const T0 = Date.UTC(2024, 0, 1);

export interface TestInstrument {
  readonly instrument: InstrumentType;
  readonly borehole_number: string;
  readonly surface_level: number;
  readonly northing: number;
  readonly easting: number;
}

export const INSTRUMENTS: readonly TestInstrument[] = [
  {
    instrument: 'piezometer',
    borehole_number: 'PZ-1',
    surface_level: 42.5,
    northing: 5812000,
    easting: 320000,
  },
  {
    instrument: 'settlement_marker',
    borehole_number: 'SM-1',
    surface_level: 40.1,
    northing: 5812010,
    easting: 320010,
  },
  {
    instrument: 'water_standpipe',
    borehole_number: 'BH-4493',
    surface_level: 79.45,
    northing: 5815854,
    easting: 323112,
  },
  {
    instrument: 'strain_gauge',
    borehole_number: 'SG-S3-12',
    surface_level: 35,
    northing: 5812020,
    easting: 320020,
  },
  {
    instrument: 'extensometer',
    borehole_number: 'EX:7',
    surface_level: 38.2,
    northing: 5812030,
    easting: 320030,
  },
];

/** A wire reading of a test instrument at T0 + ms. */
export function readingJson(
  instrument: TestInstrument,
  atMs: number,
  reading: number,
  overrides: Record<string, unknown> = {},
): Record<string, unknown> {
  return {
    borehole_number: instrument.borehole_number,
    instrument: instrument.instrument,
    surface_level: instrument.surface_level,
    northing: instrument.northing,
    easting: instrument.easting,
    reading,
    timestamp: new Date(T0 + atMs).toISOString(),
    ...overrides,
  };
}

export function envelopeJson(items: readonly unknown[]): Record<string, unknown> {
  return { instruments: items.length, units: 'mixed', timezone: 'UTC', items };
}

/** Assigns consecutive offsets (from `firstOffset`) and Kafka timestamps to payloads. */
export function rawMessages(
  payloads: ReadonlyArray<string | Uint8Array | null | object>,
  firstOffset = 0,
): RawMessage[] {
  return payloads.map((payload, i) => ({
    offset: String(firstOffset + i),
    key: null,
    value:
      payload === null
        ? null
        : payload instanceof Uint8Array
          ? payload
          : Buffer.from(typeof payload === 'string' ? payload : JSON.stringify(payload)),
    timestamp: String(T0 + 1_000_000 + firstOffset + i),
  }));
}
