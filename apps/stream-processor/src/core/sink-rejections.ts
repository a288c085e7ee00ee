import { buildDeadLetter, type DeadLetter } from '@geostream/instrument-schemas';
import type { WindowOrigin } from './partition-processor';

/** A record a sink refused for good, for what it holds (see isRecordRejection of the sinks). */
export interface SinkRejection {
  readonly sink: string;
  /** The refused record's id: a window's or an alert's. */
  readonly recordId: string;
  /** The record itself, as its payload. */
  readonly record: unknown;
  /** Why, as the sink said it. */
  readonly reason: string;
  /** Event time the dead letter is stamped with (the window's end), so a replay writes it identically. */
  readonly atMs: number;
}

/**
 * The dead letter of a record a sink refused for good (reason `sink_rejected`): the record as
 * payload, sourced at the latest reading of its window in the raw log, stamped with event time so
 * a replay writes it identically. Its id gains the record's id: two hopping windows, or a window
 * and its alert, may share a latest reading.
 */
export function sinkRejectedDeadLetter(
  rejection: SinkRejection,
  source: { readonly topic: string; readonly partition: number; readonly origin: WindowOrigin },
): DeadLetter {
  const deadLetter = buildDeadLetter({
    source: {
      topic: source.topic,
      partition: source.partition,
      offset: String(source.origin.offset),
      key: rejection.recordId,
    },
    payload: JSON.stringify(rejection.record),
    reason: 'sink_rejected',
    message: `${rejection.sink} rejected ${rejection.recordId}: ${rejection.reason}`,
    ...(source.origin.item !== null && { itemIndex: source.origin.item }),
    deadLetteredAtMs: rejection.atMs,
  });
  return { ...deadLetter, id: `${deadLetter.id}:${rejection.sink}:${rejection.recordId}` };
}
