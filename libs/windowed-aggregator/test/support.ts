import type { WindowedRecord } from '../src';

export interface Meta {
  readonly note: string;
}

/** A tiny record builder for timelines: offsets count up per partition unless given. */
export function feeder(partition = 0) {
  let nextOffset = 0;
  return (
    key: string,
    eventTimeMs: number,
    value = 1,
    note = `${key}@${eventTimeMs}`,
  ): WindowedRecord<Meta> => ({
    key,
    partition,
    offset: nextOffset++,
    eventTimeMs,
    value,
    meta: { note },
  });
}

/**
 * The same with a log time (when the record entered the log): `logged(key, eventTimeMs,
 * logTimeMs)`. Offsets count up per partition.
 */
export function loggedFeeder(partition = 0) {
  let nextOffset = 0;
  return (
    key: string,
    eventTimeMs: number,
    logTimeMs: number,
    value = 1,
  ): WindowedRecord<Meta> => ({
    key,
    partition,
    offset: nextOffset++,
    eventTimeMs,
    value,
    meta: { note: `${key}@${eventTimeMs}` },
    logTimeMs,
  });
}
