import type { AlarmEvent, WindowRecord } from '@geostream/instrument-schemas';
import {
  alertToRow,
  instrumentStateFromWindow,
  windowRecordToRow,
  type AlertEventValues,
  type InstrumentStateValues,
  type ReadingWindowValues,
} from './rows';
import type { PartitionCheckpoint, PostgresBatch } from './types';
import { lastWinsByKey } from '../batching';

// '\u0000' cannot occur in PostgreSQL text, so it separates key parts unambiguously.
const SEP = '\u0000';

export const windowKey = (w: WindowRecord): string =>
  `${w.instrument}${SEP}${w.borehole_number}${SEP}${w.window_start}`;
export const instrumentKeyOf = (w: { instrument: string; borehole_number: string }): string =>
  `${w.instrument}${SEP}${w.borehole_number}`;
export const checkpointKey = (c: PartitionCheckpoint): string =>
  `${c.consumerGroup}${SEP}${c.topic}${SEP}${c.partition}`;

/** Every instrument's latest window in the batch (by window start; a tie keeps the later one). */
export function latestWindowPerInstrument(windows: readonly WindowRecord[]): WindowRecord[] {
  const latest = new Map<string, WindowRecord>();
  for (const w of windows) {
    const key = instrumentKeyOf(w);
    const current = latest.get(key);
    if (!current || Date.parse(w.window_start) >= Date.parse(current.window_start))
      latest.set(key, w);
  }
  return [...latest.keys()].sort().map((key) => latest.get(key) as WindowRecord);
}

export interface CheckpointValues {
  readonly consumer_group: string;
  readonly topic: string;
  readonly partition: number;
  readonly next_offset: string;
  readonly state: string;
}

export interface InstrumentCheckpointValues {
  readonly consumer_group: string;
  readonly topic: string;
  readonly partition: number;
  readonly instrument_key: string;
  /** Plain JSON, serialised per statement (see upsert-statement). */
  readonly state: unknown;
}

/** Instrument checkpoint rows to delete, per partition. */
export interface InstrumentCheckpointDeletes {
  readonly consumer_group: string;
  readonly topic: string;
  readonly partition: number;
  readonly instrument_keys: string[];
}

/** The rows of one writeBatch, de-duplicated and in lock order. */
export interface BatchPlan {
  readonly windows: ReadingWindowValues[];
  readonly alerts: AlertEventValues[];
  readonly instrumentStates: InstrumentStateValues[];
  readonly checkpoints: CheckpointValues[];
  readonly instrumentCheckpoints: InstrumentCheckpointValues[];
  readonly instrumentCheckpointDeletes: InstrumentCheckpointDeletes[];
}

export function planBatch(batch: PostgresBatch): BatchPlan {
  const windows = lastWinsByKey(batch.windows ?? [], windowKey);
  const checkpoints = lastWinsByKey(batch.checkpoints ?? [], checkpointKey);
  const clocks = batch.clocks;
  return {
    windows: windows.map(windowRecordToRow),
    alerts: lastWinsByKey(batch.alerts ?? [], (a: AlarmEvent) => a.id).map(alertToRow),
    instrumentStates: latestWindowPerInstrument(windows).map((w) =>
      instrumentStateFromWindow(w, clocks?.get(w.id)),
    ),
    checkpoints: checkpoints.map((c) => ({
      consumer_group: c.consumerGroup,
      topic: c.topic,
      partition: c.partition,
      next_offset: c.nextOffset,
      state: JSON.stringify(c.state),
    })),
    instrumentCheckpoints: checkpoints.flatMap((c) =>
      lastWinsByKey(c.instruments?.upserts ?? [], (i) => i.key).map((i) => ({
        consumer_group: c.consumerGroup,
        topic: c.topic,
        partition: c.partition,
        instrument_key: i.key,
        state: i.state,
      })),
    ),
    instrumentCheckpointDeletes: checkpoints
      .filter((c) => (c.instruments?.deletes.length ?? 0) > 0)
      .map((c) => ({
        consumer_group: c.consumerGroup,
        topic: c.topic,
        partition: c.partition,
        instrument_keys: [...new Set(c.instruments?.deletes)].sort(),
      })),
  };
}
