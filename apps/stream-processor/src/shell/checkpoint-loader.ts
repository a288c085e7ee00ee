import { errorMessage, retryUntilAborted, type Logger } from '@geostream/platform';
import { CheckpointError } from '../core/checkpoint-state';
import { PartitionProcessor, type PartitionProcessorOptions } from '../core/partition-processor';
import type { PartitionSlot } from './partition-slot';
import type { SerialLock } from './serial-lock';
import type { Sinks } from './sinks';
import { untilAborted } from './until-aborted';

export interface CheckpointLoaderOptions {
  readonly consumerGroup: string;
  readonly rawTopic: string;
  readonly processorOptions: (partition: number) => PartitionProcessorOptions;
  readonly sinks: Sinks;
  readonly logger: Logger;
  readonly now: () => number;
  /** Low and high watermarks of the raw topic's partitions, from the admin client. */
  readonly logBounds: () => Promise<Map<number, { low: number; high: number }>>;
  /**
   * Checkpoints are read back and rebuilt one partition at a time: each holds every instrument
   * row of its partition parsed in memory while its state is rebuilt, and the work is CPU on
   * one thread anyway, so partitions restored together only multiplied the memory peak.
   */
  readonly restores?: SerialLock;
}

/**
 * Puts a partition's state in memory from its last checkpoint in PostgreSQL (retrying until
 * the database answers or `signal` aborts), or a fresh state at the log start when there is
 * none. The slot's position must then be checked against the consumer's (consumer-position).
 * @throws CheckpointError when the checkpoint cannot be used: the partition must not go on
 */
export async function loadCheckpoint(
  slot: PartitionSlot,
  options: CheckpointLoaderOptions,
  signal: AbortSignal,
): Promise<PartitionProcessor> {
  if (slot.inflight !== undefined) {
    // Our own last write may still land: read the checkpoint after it, whatever its outcome.
    await untilAborted(slot.inflight, signal).catch((error: unknown) => {
      if (signal.aborted) throw error;
    });
    slot.inflight = undefined;
  }
  const restore = () => restoreFromCheckpoint(slot, options, signal);
  const processor = await (options.restores?.run(restore) ?? restore());
  const now = options.now();
  slot.processor = processor;
  slot.forgetPosition();
  slot.lastCheckpointAtMs = now;
  return processor;
}

async function restoreFromCheckpoint(
  slot: PartitionSlot,
  options: CheckpointLoaderOptions,
  signal: AbortSignal,
): Promise<PartitionProcessor> {
  const { consumerGroup, rawTopic, sinks, logger } = options;
  const processorOptions = options.processorOptions(slot.partition);
  const readStartedAt = options.now();
  const stored = await retryUntilAborted(
    () => sinks.postgres.loadCheckpoint(consumerGroup, rawTopic, slot.partition),
    {
      signal,
      onRetry: ({ attempt, error }) =>
        logger.warn(
          { partition: slot.partition, attempt, error: errorMessage(error) },
          'loading checkpoint failed; retrying',
        ),
    },
  );
  let processor: PartitionProcessor;
  if (stored === undefined) {
    const low = (await options.logBounds()).get(slot.partition)?.low ?? 0;
    processor = PartitionProcessor.fresh(processorOptions, low);
    slot.checkpointedOffset = -1;
    logger.info(
      { partition: slot.partition, offset: low },
      'no checkpoint: starting from the log start',
    );
  } else {
    const rebuildStartedAt = options.now();
    processor = PartitionProcessor.restore(processorOptions, stored);
    if (String(processor.nextOffset) !== stored.nextOffset)
      throw new CheckpointError(
        'CHECKPOINT_INVALID',
        `checkpoint of partition ${slot.partition}: next_offset ${stored.nextOffset} disagrees with its state (${processor.nextOffset})`,
      );
    slot.checkpointedOffset = processor.nextOffset;
    logger.info(
      {
        partition: slot.partition,
        offset: processor.nextOffset,
        instruments: stored.instruments.length,
        openWindows: processor.openWindows,
        // What a restart costs grows with these: operators size CHECKPOINT_INTERVAL_MS by them.
        readMs: rebuildStartedAt - readStartedAt,
        rebuildMs: options.now() - rebuildStartedAt,
      },
      'checkpoint restored',
    );
  }
  return processor;
}
