import {
  INSTRUMENT_TYPES,
  instrumentKey,
  type InstrumentType,
} from '@geostream/instrument-schemas';
import { defined } from '@geostream/platform/testing';

/** 2024-01-01T00:00:00Z */
export const BENCH_T0 = Date.UTC(2024, 0, 1);

export interface Workload {
  readonly partitions: number;
  readonly instrumentsPerPartition: number;
  /** Event-time gap between two readings of one instrument. */
  readonly readingEveryMs: number;
}

const BASE: Record<InstrumentType, number> = {
  water_standpipe: 75,
  piezometer: 120,
  settlement_marker: -12,
  extensometer: 8,
  strain_gauge: 150,
};

/**
 * Reading number `index` of a partition, as the producer writes it: one reading per message,
 * keyed by instrument, the instruments of a partition reading in turn. Deterministic.
 */
export function benchMessage(
  workload: Workload,
  partition: number,
  index: number,
  t0 = BENCH_T0,
): { key: string; value: Buffer } {
  const slot = index % workload.instrumentsPerPartition;
  const step = Math.floor(index / workload.instrumentsPerPartition);
  const instrument = defined(
    INSTRUMENT_TYPES[(partition + slot) % INSTRUMENT_TYPES.length],
    'instrument type of a bench slot',
  );
  const borehole = `B${partition}-${slot}`;
  const jitter = (slot * 7919) % workload.readingEveryMs;
  const at = t0 + step * workload.readingEveryMs + jitter;
  const value = BASE[instrument] + ((step * 31 + slot * 17) % 100) / 50;
  return {
    key: instrumentKey(instrument, borehole),
    value: Buffer.from(
      JSON.stringify({
        borehole_number: borehole,
        instrument,
        surface_level: 80,
        northing: 5812000 + partition,
        easting: 320000 + slot,
        reading: value,
        timestamp: new Date(at).toISOString(),
      }),
    ),
  };
}

/** What the producer puts on every message (see apps/producer). */
export const BENCH_HEADERS = {
  source: 'http://127.0.0.1:3000/params/all',
  ingested_at: '2024-01-01T00:00:00.000Z',
  producer_id: 'bench',
};
