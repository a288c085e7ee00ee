import { buildDeadLetter, type DeadLetter, type WindowRecord } from '@geostream/instrument-schemas';
import type { WindowOrigin } from './partition-processor';

export interface SinkRejection {
  readonly sink: string;
  readonly record: WindowRecord;
  readonly status: number;
  readonly reason: string;
}

/**
 * The dead letter of a window a sink refused for good (reason `sink_rejected`): the window
 * record as payload, sourced at its latest reading in the raw log, stamped with the window's
 * end (event time) so a replay writes it identically. Its id gains the window id, as two
 * hopping windows may share a latest reading.
 */
export function sinkRejectedDeadLetter(
  rejection: SinkRejection,
  source: { readonly topic: string; readonly partition: number; readonly origin: WindowOrigin },
): DeadLetter {
  const { record } = rejection;
  const deadLetter = buildDeadLetter({
    source: {
      topic: source.topic,
      partition: source.partition,
      offset: String(source.origin.offset),
      key: record.id,
    },
    payload: JSON.stringify(record),
    reason: 'sink_rejected',
    message: `${rejection.sink} rejected window ${record.id}: ${rejection.status} ${rejection.reason}`,
    ...(source.origin.item !== null && { itemIndex: source.origin.item }),
    deadLetteredAtMs: Date.parse(record.window_end),
  });
  return { ...deadLetter, id: `${deadLetter.id}:${record.id}` };
}
