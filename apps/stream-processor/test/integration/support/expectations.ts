import { byId } from './harness';
import {
  classifyTriggerLevel,
  resolveTriggerLevels,
  INSTRUMENT_SPECS,
  type InstrumentType,
  type SiteConfig,
  type WindowRecord,
} from '@geostream/instrument-schemas';
import type { RawMessage } from '../../../src/core/raw-message';
import { TEST_MAX_QUIET_WAIT_MS } from './harness';
import {
  meanOf,
  oracle,
  type OracleOptions,
  type ExpectedDeadLetter,
  type ExpectedWindow,
  type OracleResult,
} from '../../support/oracle';

/** The window records the naive model predicts, as the sinks should hold them. */
export function expectedRecords(
  windows: Iterable<ExpectedWindow>,
  sizeMs: number,
  siteConfig?: SiteConfig,
): WindowRecord[] {
  const records: WindowRecord[] = [];
  for (const w of windows) {
    const instrument = w.instrument as InstrumentType;
    const mean = meanOf(w);
    records.push({
      schema_version: 1,
      id: w.id,
      instrument,
      borehole_number: w.borehole_number,
      window_start: new Date(w.startMs).toISOString(),
      window_end: new Date(w.startMs + sizeMs).toISOString(),
      reading_mean: mean,
      reading_min: w.min,
      reading_max: w.max,
      reading_count: w.count,
      first_timestamp: new Date(w.firstMs).toISOString(),
      last_timestamp: new Date(w.lastMs).toISOString(),
      unit: INSTRUMENT_SPECS[instrument].unit,
      surface_level: w.latest.surface_level,
      northing: w.latest.northing,
      easting: w.latest.easting,
      trigger_level: classifyTriggerLevel(
        mean,
        resolveTriggerLevels(siteConfig, instrument, w.borehole_number, w.latest.surface_level),
      ),
    });
  }
  return records.sort(byId);
}

export { byId };

export interface PartitionOracle {
  readonly partition: number;
  readonly result: OracleResult;
}

/**
 * The model of each raw partition, its log clock advanced at its end far enough that every
 * instrument's last windows have gone quiet (what the final idle advances do).
 */
export function oracleOfPartitions(
  messagesByPartition: ReadonlyMap<number, RawMessage[]>,
  spec: { sizeMs: number; graceMs: number },
  options: OracleOptions = { maxQuietWaitMs: TEST_MAX_QUIET_WAIT_MS },
): PartitionOracle[] {
  return [...messagesByPartition].map(([partition, messages]) => ({
    partition,
    result: oracle(messages, spec, new Map([[messages.length - 1, 8.64e15]]), options),
  }));
}

export function allWindows(oracles: readonly PartitionOracle[]): ExpectedWindow[] {
  return oracles.flatMap((o) => [...o.result.windows.values()]);
}

export function allDeadLetters(
  oracles: readonly PartitionOracle[],
): Array<ExpectedDeadLetter & { partition: number }> {
  return oracles.flatMap((o) =>
    o.result.deadLetters.map((d) => ({ ...d, partition: o.partition })),
  );
}
