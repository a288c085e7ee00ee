import type { Batch, Consumer } from 'kafkajs';
import { errorMessage, retry, type Logger } from '@geostream/platform';
import { CheckpointError } from '../core/checkpoint-state';
import {
  PartitionProcessor,
  type PartitionProcessorOptions,
  type ProcessorOutputs,
} from '../core/partition-processor';
import type { ProcessorMetrics } from './metrics';
import type { WriteOutputs } from './output-writer';
import { PartitionSlot } from './partition-slot';
import type { Sinks } from './sinks';

export interface PartitionRunnerOptions {
  readonly consumerGroup: string;
  readonly rawTopic: string;
  readonly processorOptions: (partition: number) => PartitionProcessorOptions;
  readonly sinks: Sinks;
  readonly writeOutputs: WriteOutputs;
  readonly metrics: ProcessorMetrics;
  readonly logger: Logger;
  readonly now: () => number;
  readonly idleFlushMs: number;
  readonly checkpointIntervalMs: number;
  /** Catching up: outputs may wait this long for more before they are written. */
  readonly maxWriteDelayMs: number;
  /**
   * Catching up: ... or until this many windows and dead letters are pending (alerts, which
   * follow from windows, are not counted).
   */
  readonly maxPendingOutputs: number;
  /** Low and high watermarks of the raw topic's partitions, from the admin client. */
  readonly logBounds: () => Promise<Map<number, { low: number; high: number }>>;
  /** Aborts only when shutdown runs out of time: background writes retry until then. */
  readonly lifetime: AbortSignal;
  /** A partition cannot be processed safely (bad or incompatible checkpoint). */
  readonly onFatal: (error: Error) => void;
}

/** The part of kafkajs's eachBatch payload the runner uses. */
export interface BatchContext {
  readonly batch: Batch;
  readonly consumer: Pick<Consumer, 'seek' | 'commitOffsets'>;
  readonly resolveOffset: (offset: string) => void;
  readonly isStale: () => boolean;
}

/**
 * The per-partition I/O shell around the pure PartitionProcessor: loads checkpoints, makes
 * the consumer's position agree with them, processes batches, writes outputs with a
 * checkpoint, and flushes partitions that went quiet. All work on one partition runs under
 * its lock, one batch at a time.
 */
export class PartitionRunner {
  private readonly slots = new Map<number, PartitionSlot>();
  stopping = false;

  constructor(private readonly options: PartitionRunnerOptions) {}

  slot(partition: number): PartitionSlot {
    let slot = this.slots.get(partition);
    if (slot === undefined) {
      slot = new PartitionSlot(partition, this.options.now());
      this.slots.set(partition, slot);
    }
    return slot;
  }

  assigned(): PartitionSlot[] {
    return [...this.slots.values()].sort((a, b) => a.partition - b.partition);
  }

  /**
   * A new group generation: partitions no longer ours are forgotten (their new owner replays
   * from the last checkpoint); those we keep must have their position re-checked, since
   * kafkajs restarts them from the committed offset.
   */
  onAssignment(partitions: readonly number[]): void {
    const keep = new Set(partitions);
    for (const [partition, slot] of this.slots) {
      if (keep.has(partition)) {
        slot.verified = false;
        slot.seekTarget = undefined;
        slot.seekAttempts = 0;
        continue;
      }
      slot.revoked = true;
      this.slots.delete(partition);
    }
    for (const partition of partitions) this.slot(partition);
    this.options.metrics.partitionsAssigned.set(this.slots.size);
  }

  /** Called under the partition's lock with a signal that aborts on rebalance or shutdown. */
  async handleBatch(context: BatchContext, signal: AbortSignal): Promise<void> {
    const { batch } = context;
    const slot = this.slot(batch.partition);
    if (this.stopping || slot.revoked) return;
    this.options.logger.trace(
      {
        partition: batch.partition,
        fetchedOffset: fetchedOffsetOf(batch),
        lastOffset: batch.lastOffset(),
        messages: batch.messages.length,
      },
      'batch',
    );
    try {
      const processor = slot.processor ?? (await this.load(slot, signal));
      if (!slot.verified && !(await this.verifyPosition(slot, processor, context, signal))) return;
      if (context.isStale()) return;

      const outputs = processor.processBatch(batch.messages, Number(batch.lastOffset()) + 1);
      const now = this.options.now();
      slot.lastRecordAtMs = now;
      slot.highWatermark = Number(batch.highWatermark);
      this.collect(slot, outputs, now);
      const caughtUp = processor.nextOffset >= slot.highWatermark;
      if (this.shouldWrite(slot, now, caughtUp)) {
        // The previous write ran while this batch was processed; outputs stay in order.
        await this.settleInflight(slot, signal);
        this.startWrite(slot, context.consumer);
      }
      const last = batch.messages[batch.messages.length - 1];
      if (last !== undefined) context.resolveOffset(last.offset);
      this.options.metrics.consumerLag.set(
        { partition: String(slot.partition) },
        Math.max(0, slot.highWatermark - processor.nextOffset),
      );
    } catch (error) {
      // Memory may now be ahead of what was written: start again from the checkpoint.
      slot.dropState();
      if (error instanceof CheckpointError) {
        this.options.onFatal(error);
        return;
      }
      throw error;
    }
  }

  /** Idle flushes, overdue checkpoints and state loading; called by the processor's timer. */
  async tick(consumer: Pick<Consumer, 'commitOffsets'>, signal: AbortSignal): Promise<void> {
    if (this.stopping) return;
    const now = this.options.now();
    const slots = this.assigned().filter((slot) => !slot.lock.busy);
    // A partition with nothing new to read never gets a batch: load its state anyway, or the
    // open windows of its checkpoint would never be flushed.
    const unloaded = slots.filter((slot) => slot.processor === undefined);
    const idle = slots.filter(
      (slot) =>
        slot.processor !== undefined &&
        slot.processor.openWindows > 0 &&
        now - slot.lastRecordAtMs >= this.options.idleFlushMs,
    );
    const overdue = slots.filter(
      (slot) =>
        slot.verified &&
        !idle.includes(slot) &&
        slot.hasUncheckpointedProgress &&
        (now - slot.lastCheckpointAtMs >= this.options.checkpointIntervalMs ||
          slot.pending.ageMs(now) >= this.options.maxWriteDelayMs),
    );
    if (idle.length > 0) {
      // Only a partition with nothing left to read is idle: one whose consumer is merely
      // held up (a sink outage, a backlog elsewhere) must not close windows early.
      const bounds = await this.options.logBounds();
      for (const slot of idle) {
        const high = bounds.get(slot.partition)?.high;
        if (high !== undefined) slot.highWatermark = high;
      }
    }
    const caughtUp = (slot: PartitionSlot) =>
      slot.highWatermark !== undefined && (slot.position ?? -1) >= slot.highWatermark;
    await Promise.all([
      ...unloaded.map((slot) => this.loadIdle(slot, signal)),
      ...idle
        .filter(caughtUp)
        .map((slot) => this.runLocked(slot, signal, () => this.flushIdle(slot, consumer, signal))),
      ...overdue.map((slot) =>
        this.runLocked(slot, signal, async () => {
          if (slot.verified && slot.hasUncheckpointedProgress)
            await this.write(slot, consumer, signal);
        }),
      ),
    ]);
  }

  private async loadIdle(slot: PartitionSlot, signal: AbortSignal): Promise<void> {
    try {
      await slot.lock.run(async () => {
        if (slot.revoked || slot.processor !== undefined || this.stopping) return;
        await this.load(slot, signal);
      });
    } catch (error) {
      if (error instanceof CheckpointError) this.options.onFatal(error);
      else
        this.options.logger.warn(
          { partition: slot.partition, error: errorMessage(error) },
          'loading the checkpoint failed; will try again',
        );
    }
  }

  /** Writes every partition's unwritten progress (graceful shutdown). */
  async checkpointAll(
    consumer: Pick<Consumer, 'commitOffsets'>,
    signal: AbortSignal,
  ): Promise<void> {
    await Promise.all(
      this.assigned().map((slot) =>
        this.runLocked(slot, signal, async () => {
          if (slot.verified && slot.hasUncheckpointedProgress)
            await this.write(slot, consumer, signal);
        }),
      ),
    );
  }

  private async runLocked(
    slot: PartitionSlot,
    signal: AbortSignal,
    task: () => Promise<void>,
  ): Promise<void> {
    try {
      await slot.lock.run(async () => {
        if (slot.revoked || slot.processor === undefined) return;
        try {
          await this.settleInflight(slot, signal);
          await task();
        } catch (error) {
          slot.dropState();
          throw error;
        }
      });
    } catch (error) {
      this.options.logger.warn(
        { partition: slot.partition, error: errorMessage(error) },
        'partition write interrupted; it will resume from its last checkpoint',
      );
    }
  }

  private async flushIdle(
    slot: PartitionSlot,
    consumer: Pick<Consumer, 'commitOffsets'>,
    signal: AbortSignal,
  ): Promise<void> {
    const processor = slot.processor;
    const now = this.options.now();
    if (processor === undefined || now - slot.lastRecordAtMs < this.options.idleFlushMs) return;
    const outputs = processor.flush();
    if (outputs.windows.length === 0) return;
    this.options.logger.debug(
      { partition: slot.partition, windows: outputs.windows.length },
      'idle partition: open windows flushed',
    );
    this.collect(slot, outputs, now);
    // Checkpointed at once: a replay must start after the flush, never repeat it.
    await this.write(slot, consumer, signal);
  }

  private collect(slot: PartitionSlot, outputs: ProcessorOutputs, now: number): void {
    this.options.metrics.recordAccounting(slot.partition, outputs.accounting, outputs.skipped);
    slot.pending.add(outputs, now);
  }

  /**
   * A caught-up partition writes what a batch produced at once (latency); one with a backlog
   * lets outputs gather for up to maxWriteDelayMs or maxPendingOutputs (throughput: one
   * checkpoint and one transaction per few batches rather than per batch).
   */
  private shouldWrite(slot: PartitionSlot, now: number, caughtUp: boolean): boolean {
    if (this.stopping) return slot.hasUncheckpointedProgress;
    const pending = slot.pending;
    if (!pending.isEmpty)
      return (
        caughtUp ||
        pending.windowCount + pending.deadLetterCount >= this.options.maxPendingOutputs ||
        pending.ageMs(now) >= this.options.maxWriteDelayMs
      );
    return (
      slot.hasUncheckpointedProgress &&
      now - slot.lastCheckpointAtMs >= this.options.checkpointIntervalMs
    );
  }

  /** Writes pending outputs and a checkpoint, and waits for it. */
  private async write(
    slot: PartitionSlot,
    consumer: Pick<Consumer, 'commitOffsets'>,
    signal: AbortSignal,
  ): Promise<void> {
    await this.settleInflight(slot, signal);
    this.startWrite(slot, consumer);
    await this.settleInflight(slot, signal);
  }

  /**
   * Starts writing the pending outputs with a checkpoint of the state that produced them. It
   * retries until it succeeds or shutdown runs out of time; whoever waits for it next learns
   * the outcome (settleInflight).
   */
  private startWrite(slot: PartitionSlot, consumer: Pick<Consumer, 'commitOffsets'>): void {
    // Callers hold the partition with its state loaded (a failed write before this one threw).
    const processor = slot.processor;
    if (processor === undefined)
      throw new Error(`partition ${slot.partition}: no state in memory to checkpoint`);
    const checkpoint = processor.checkpoint();
    const batch = slot.pending.take();
    // Counts from the start: a batch arriving while this write runs is not "overdue" already.
    slot.lastCheckpointAtMs = this.options.now();
    const write = this.options
      .writeOutputs(slot.partition, batch, checkpoint, this.options.lifetime)
      .then(() => {
        if (slot.inflight === write) slot.inflight = undefined;
        slot.checkpointedOffset = checkpoint.nextOffset;
        slot.lastCheckpointAtMs = this.options.now();
        // Informational (lag tools): the PostgreSQL checkpoint is what a restart trusts.
        consumer
          .commitOffsets([
            {
              topic: this.options.rawTopic,
              partition: slot.partition,
              offset: String(checkpoint.nextOffset),
            },
          ])
          .catch((error: unknown) =>
            this.options.logger.debug(
              { partition: slot.partition, error: errorMessage(error) },
              'kafka offset commit skipped',
            ),
          );
      });
    write.catch(() => undefined); // observed by settleInflight
    slot.inflight = write;
  }

  /**
   * Waits for the partition's write in flight, if any (or until `signal` aborts). A failed
   * write took its outputs with it, so it throws and its callers (handleBatch, runLocked) drop
   * the state in memory, still under the partition's lock: the partition resumes from its last
   * checkpoint. A write merely no longer awaited (aborted) stays in flight, for load to wait on.
   */
  private async settleInflight(slot: PartitionSlot, signal: AbortSignal): Promise<void> {
    const inflight = slot.inflight;
    if (inflight === undefined) return;
    try {
      await untilAborted(inflight, signal);
    } catch (error) {
      if (!signal.aborted && slot.inflight === inflight) slot.inflight = undefined;
      throw error;
    }
    if (slot.inflight === inflight) slot.inflight = undefined;
  }

  private async load(slot: PartitionSlot, signal: AbortSignal): Promise<PartitionProcessor> {
    const { consumerGroup, rawTopic, sinks, logger } = this.options;
    if (slot.inflight !== undefined) {
      // Our own last write may still land: read the checkpoint after it, whatever its outcome.
      await untilAborted(slot.inflight, signal).catch((error: unknown) => {
        if (signal.aborted) throw error;
      });
      slot.inflight = undefined;
    }
    const options = this.options.processorOptions(slot.partition);
    const stored = await retry(
      () => sinks.postgres.loadCheckpoint(consumerGroup, rawTopic, slot.partition),
      {
        retries: Infinity,
        initialDelayMs: 100,
        maxDelayMs: 5_000,
        signal,
        shouldRetry: () => !signal.aborted,
        onRetry: ({ attempt, error }) =>
          logger.warn(
            { partition: slot.partition, attempt, error: errorMessage(error) },
            'loading checkpoint failed; retrying',
          ),
      },
    );
    let processor: PartitionProcessor;
    if (stored === undefined) {
      const low = (await this.options.logBounds()).get(slot.partition)?.low ?? 0;
      processor = PartitionProcessor.fresh(options, low);
      slot.checkpointedOffset = -1;
      logger.info(
        { partition: slot.partition, offset: low },
        'no checkpoint: starting from the log start',
      );
    } else {
      processor = PartitionProcessor.restore(options, stored.state);
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
          openWindows: processor.openWindows,
        },
        'checkpoint restored',
      );
    }
    const now = this.options.now();
    slot.processor = processor;
    slot.verified = false;
    slot.lastRecordAtMs = now;
    slot.lastCheckpointAtMs = now;
    return processor;
  }

  /**
   * True when the batch starts where the processor's state ends. Otherwise seeks there and
   * returns false: kafkajs drops what it fetched for the partition and fetches again from the
   * checkpoint, so no record is processed twice or skipped. (A kafkajs batch knows the offset
   * it was fetched from; its first record may lie later, past transaction markers.)
   */
  private async verifyPosition(
    slot: PartitionSlot,
    processor: PartitionProcessor,
    context: BatchContext,
    signal: AbortSignal,
  ): Promise<boolean> {
    const { batch } = context;
    const target = processor.nextOffset;
    const fetched = fetchedOffsetOf(batch);
    if (fetched === target || (await this.targetGone(slot, target, fetched, signal))) {
      slot.verified = true;
      slot.seekTarget = undefined;
      slot.seekAttempts = 0;
      return true;
    }
    if (slot.seekTarget !== target) slot.seekAttempts = 0;
    slot.seekTarget = target;
    slot.seekAttempts++;
    this.options.metrics.seeks.inc({ partition: String(slot.partition) });
    this.options.logger.debug(
      { partition: slot.partition, from: fetched, to: target },
      'seeking to checkpoint',
    );
    context.consumer.seek({
      topic: this.options.rawTopic,
      partition: slot.partition,
      offset: String(target),
    });
    return false;
  }

  /**
   * After repeated seeks that did not take: is the target outside the log? Below its start,
   * the records were deleted by retention before being processed (loud, counted, and the
   * batch is taken from where the log now starts); beyond its end, the checkpoint belongs to
   * another incarnation of the topic, which is fatal.
   */
  private async targetGone(
    slot: PartitionSlot,
    target: number,
    fetched: number,
    signal: AbortSignal,
  ): Promise<boolean> {
    if (slot.seekTarget !== target || slot.seekAttempts < 2 || signal.aborted) return false;
    const bounds = (await this.options.logBounds()).get(slot.partition);
    if (bounds === undefined) return false;
    if (target < bounds.low && fetched >= bounds.low) {
      this.options.logger.error(
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
}

/** `promise`, or a rejection with the signal's reason as soon as it aborts. */
function untilAborted<T>(promise: Promise<T>, signal: AbortSignal): Promise<T> {
  if (signal.aborted) return Promise.reject(signal.reason);
  return new Promise<T>((resolve, reject) => {
    const onAbort = (): void => reject(signal.reason);
    signal.addEventListener('abort', onAbort, { once: true });
    promise.then(
      (value) => {
        signal.removeEventListener('abort', onAbort);
        resolve(value);
      },
      (error: unknown) => {
        signal.removeEventListener('abort', onAbort);
        reject(error);
      },
    );
  });
}

function fetchedOffsetOf(batch: Batch): number {
  const fetched = (batch as Batch & { fetchedOffset?: string }).fetchedOffset;
  return Number(fetched ?? batch.firstOffset());
}
