import type { Batch, Consumer } from 'kafkajs';
import type { Logger } from '@geostream/platform';
import { CheckpointError } from '../core/checkpoint-state';
import type { PartitionProcessor } from '../core/partition-processor';
import type { ProcessorMetrics } from './metrics';
import type { PartitionSlot } from './partition-slot';

export interface ConsumerPositionOptions {
  readonly rawTopic: string;
  readonly metrics: ProcessorMetrics;
  readonly logger: Logger;
  readonly logBounds: () => Promise<Map<number, { low: number; high: number }>>;
}

/**
 * True when the batch starts where the processor's state ends. Otherwise seeks there and
 * returns false: kafkajs drops what it fetched for the partition and fetches again from the
 * checkpoint, so no record is processed twice or skipped. (A kafkajs batch knows the offset it
 * was fetched from; its first record may lie later, past transaction markers.)
 * @throws CheckpointError when the checkpoint lies beyond the log end (another topic incarnation)
 */
export async function verifyPosition(
  slot: PartitionSlot,
  processor: PartitionProcessor,
  batch: Batch,
  consumer: Pick<Consumer, 'seek'>,
  options: ConsumerPositionOptions,
  signal: AbortSignal,
): Promise<boolean> {
  const target = processor.nextOffset;
  const fetched = fetchedOffsetOf(batch);
  if (fetched === target || (await targetGone(slot, target, fetched, options, signal))) {
    slot.verified = true;
    slot.seekTarget = undefined;
    slot.seekAttempts = 0;
    return true;
  }
  if (slot.seekTarget !== target) slot.seekAttempts = 0;
  slot.seekTarget = target;
  slot.seekAttempts++;
  options.metrics.seeks.inc({ partition: String(slot.partition) });
  options.logger.debug(
    { partition: slot.partition, from: fetched, to: target },
    'seeking to checkpoint',
  );
  consumer.seek({ topic: options.rawTopic, partition: slot.partition, offset: String(target) });
  return false;
}

/**
 * After repeated seeks that did not take: is the target outside the log? Below its start, the
 * records were deleted by retention before being processed (loud, counted, and the batch is
 * taken from where the log now starts); beyond its end, the checkpoint belongs to another
 * incarnation of the topic, which is fatal.
 */
async function targetGone(
  slot: PartitionSlot,
  target: number,
  fetched: number,
  options: ConsumerPositionOptions,
  signal: AbortSignal,
): Promise<boolean> {
  if (slot.seekTarget !== target || slot.seekAttempts < 2 || signal.aborted) return false;
  const bounds = (await options.logBounds()).get(slot.partition);
  if (bounds === undefined) return false;
  if (target < bounds.low && fetched >= bounds.low) {
    options.logger.error(
      { partition: slot.partition, from: target, to: bounds.low, lost: bounds.low - target },
      'records were deleted by retention before they were processed',
    );
    return true;
  }
  if (target > bounds.high)
    throw new CheckpointError(
      'CHECKPOINT_MISMATCH',
      `the checkpoint of partition ${slot.partition} is at offset ${target}, beyond the log end ${bounds.high}: ` +
        'was the topic recreated? Use a new CONSUMER_GROUP.',
    );
  return false;
}

export function fetchedOffsetOf(batch: Batch): number {
  const fetched = (batch as Batch & { fetchedOffset?: string }).fetchedOffset;
  return Number(fetched ?? batch.firstOffset());
}
