import { INSTRUMENT_TYPES } from '@geostream/instrument-schemas';
import { defined } from '@geostream/platform/testing';
import { readingJson, type TestInstrument } from '../../support/messages';
import { valueFor } from '../../support/stream-arbitrary';

/** A small deterministic PRNG (mulberry32): the same seed gives the same stream. */
export function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export interface SiteStreamOptions {
  readonly partitions: number;
  readonly instrumentsPerPartition: number;
  /** Event-time steps; every instrument reads once per step. */
  readonly steps: number;
  readonly stepMs: number;
  readonly seed: number;
}

/**
 * A site's raw log, one payload list per partition: every instrument reads each step, with
 * the faults of real links sprinkled in (re-sent duplicates, readings a little out of order,
 * readings far too late, garbage). An instrument always goes to the same partition, as the
 * producer keys messages by instrument.
 */
export function siteStream(options: SiteStreamOptions): Map<number, string[]> {
  const random = seededRandom(options.seed);
  const streams = new Map<number, string[]>();
  for (let partition = 0; partition < options.partitions; partition++) {
    const instruments: TestInstrument[] = Array.from(
      { length: options.instrumentsPerPartition },
      (_, i) => ({
        instrument: defined(
          INSTRUMENT_TYPES[(partition + i) % INSTRUMENT_TYPES.length],
          `instrument type of P${partition}-I${i}`,
        ),
        borehole_number: `P${partition}-I${i}`,
        surface_level: 80 + i,
        northing: 5812000 + partition * 100 + i,
        easting: 320000 + i,
      }),
    );
    const payloads: string[] = [];
    for (let step = 0; step < options.steps; step++) {
      for (const instrument of instruments) {
        const at = step * options.stepMs + Math.floor(random() * options.stepMs);
        const roll = random();
        const value = valueFor(instrument, Math.floor(random() * 400));
        if (roll < 0.005) {
          payloads.push('\u0000garbage\u00ff');
          continue;
        }
        const shifted = roll < 0.015 ? at - 350 : roll < 0.02 ? at - 4 * options.stepMs * 10 : at;
        const payload = JSON.stringify(readingJson(instrument, Math.max(0, shifted), value));
        payloads.push(payload);
        if (random() < 0.02) payloads.push(payload); // re-sent
      }
    }
    streams.set(partition, payloads);
  }
  return streams;
}
