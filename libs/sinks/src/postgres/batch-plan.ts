import type { Alert, WindowRecord } from '@geostream/instrument-schemas';
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

/** The rows of one writeBatch, de-duplicated and in lock order. */
export interface BatchPlan {
  readonly windows: ReadingWindowValues[];
  readonly alerts: AlertEventValues[];
  readonly instrumentStates: InstrumentStateValues[];
  readonly checkpoints: CheckpointValues[];
}

export function planBatch(batch: PostgresBatch): BatchPlan {
  const windows = lastWinsByKey(batch.windows ?? [], windowKey);
  return {
    windows: windows.map(windowRecordToRow),
    alerts: lastWinsByKey(batch.alerts ?? [], (a: Alert) => a.id).map(alertToRow),
    instrumentStates: latestWindowPerInstrument(windows).map(instrumentStateFromWindow),
    checkpoints: lastWinsByKey(batch.checkpoints ?? [], checkpointKey).map((c) => ({
      consumer_group: c.consumerGroup,
      topic: c.topic,
      partition: c.partition,
      next_offset: c.nextOffset,
      state: JSON.stringify(c.state),
    })),
  };
}
