import { isValidEventTime, MAX_EVENT_TIME_MS } from './assignment';
import { WindowingError } from './errors';

/**
 * One input reading, generic over its metadata: the lib knows nothing of instruments.
 *
 * - `key`: the aggregation key (an instrument identity); a key must live in one partition.
 * - `partition`: the ordered input log it came from (e.g. one Kafka topic-partition); a
 *   non-negative integer. Consuming several topics? Number their partitions distinctly.
 * - `offset`: its position in that log, a non-negative safe integer (JS numbers are exact to
 *   2^53, far beyond any Kafka offset), strictly increasing within a partition. A record at or
 *   below an offset already seen is a replay and is skipped (see AddResult.replayed).
 * - `eventTimeMs`: the reading's own timestamp, integer epoch ms within Date's range.
 * - `value`: a finite number.
 * - `meta`: metadata kept as "latest" (the reading with the highest event time wins); any
 *   JSON value except undefined, since it is stored in snapshots verbatim.
 * - `logTimeMs` (optional): when the record entered the log, integer epoch ms (a Kafka record's
 *   timestamp). The log's clock: it closes the windows of keys that went quiet and forgets
 *   keys long silent (see the README, "Quiet keys"). Without it a key's windows close only by
 *   its own event time or a flush, and the key is never forgotten.
 */
export interface WindowedRecord<M> {
  readonly key: string;
  readonly partition: number;
  readonly offset: number;
  readonly eventTimeMs: number;
  readonly value: number;
  readonly meta: M;
  readonly logTimeMs?: number;
}

/** @throws WindowingError RECORD_INVALID naming the first bad field */
export function assertValidRecord(record: WindowedRecord<unknown>): void {
  // One cheap test for the hot path; the detailed diagnosis only runs when it fails.
  if (
    typeof record.key === 'string' &&
    isPartition(record.partition) &&
    isOffset(record.offset) &&
    isValidEventTime(record.eventTimeMs) &&
    typeof record.value === 'number' &&
    Number.isFinite(record.value) &&
    record.meta !== undefined &&
    (record.logTimeMs === undefined || isValidEventTime(record.logTimeMs))
  )
    return;
  throw new WindowingError('RECORD_INVALID', `Invalid record: ${recordProblem(record)}`, {
    key: (record as { key?: unknown } | null)?.key,
    partition: (record as { partition?: unknown } | null)?.partition,
    offset: (record as { offset?: unknown } | null)?.offset,
  });
}

export function isPartition(value: unknown): value is number {
  return typeof value === 'number' && Number.isSafeInteger(value) && value >= 0;
}

export function isOffset(value: unknown): value is number {
  return typeof value === 'number' && Number.isSafeInteger(value) && value >= 0;
}

function recordProblem(record: unknown): string {
  if (typeof record !== 'object' || record === null) return 'a record must be an object';
  const r = record as Record<string, unknown>;
  if (typeof r['key'] !== 'string') return 'key must be a string';
  if (!isPartition(r['partition']))
    return `partition must be a non-negative integer, got ${String(r['partition'])}`;
  if (!isOffset(r['offset']))
    return `offset must be a non-negative safe integer, got ${String(r['offset'])}`;
  if (!isValidEventTime(r['eventTimeMs']))
    return `eventTimeMs must be an integer within ±${MAX_EVENT_TIME_MS}, got ${String(r['eventTimeMs'])}`;
  if (typeof r['value'] !== 'number' || !Number.isFinite(r['value']))
    return `value must be a finite number, got ${String(r['value'])}`;
  if (r['meta'] === undefined) return 'meta must not be undefined (it is kept in JSON snapshots)';
  return `logTimeMs must be undefined or an integer within ±${MAX_EVENT_TIME_MS}, got ${String(r['logTimeMs'])}`;
}
