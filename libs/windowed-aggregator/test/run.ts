import type { AddResult, ClosedWindow, WindowedAggregator } from '../src';
import type { Meta, Op } from './streams';

export type OpOutput = AddResult<Meta> | readonly ClosedWindow<Meta>[];

export function apply(agg: WindowedAggregator<Meta>, op: Op): OpOutput {
  switch (op.kind) {
    case 'record':
      return agg.add(op.record);
    case 'advanceLogTime':
      return agg.advanceLogTime(op.partition, op.logTimeMs);
    case 'flush':
      return agg.flushPartition(op.partition);
  }
}

export function closedBy(output: OpOutput): readonly ClosedWindow<Meta>[] {
  return Array.isArray(output) ? output : (output as AddResult<Meta>).closed;
}

/** Plain JSON, as a snapshot would carry it, so shared references do not mask differences. */
export const viaJson = <T>(value: T): T => JSON.parse(JSON.stringify(value)) as T;
