import type { Batch, Consumer } from 'kafkajs';
import { errorMessage, type Logger } from '@geostream/platform';
import { CheckpointSupersededError } from '@geostream/sinks';
import { CheckpointError } from '../core/checkpoint-state';
import { idleAdvanceTarget, recordsBehindIdleAdvance } from '../core/idle-advance';
import type { PartitionProcessorOptions, ProcessorOutputs } from '../core/partition-processor';
import { loadCheckpoint, type CheckpointLoaderOptions } from './checkpoint-loader';
import { SerialLock } from './serial-lock';
import { fetchedOffsetOf, verifyPosition } from './consumer-position';
import type { ProcessorMetrics } from './metrics';
import type { WriteOutputs } from './output-writer';
import { PartitionSlot } from './partition-slot';
import type { Sinks } from './sinks';
import { WriteScheduler } from './write-scheduler';

export interface PartitionRunnerOptions {
  readonly consumerGroup: string;
  readonly rawTopic: string;
  readonly processorOptions: (partition: number) => PartitionProcessorOptions;
  readonly sinks: Sinks;
  readonly writeOutputs: WriteOutputs;
  readonly metrics: ProcessorMetrics;
  readonly logger: Logger;
  readonly now: () => number;
  /** IDLE_FLUSH_MS: the idle advance's one time bound (core/idle-advance). */
  readonly idleAdvanceMs: number;
  readonly checkpointIntervalMs: number;
  readonly maxWriteDelayMs: number;
  readonly maxPendingOutputs: number;
  readonly logBounds: () => Promise<Map<number, { low: number; high: number }>>;
  /**
   * Each partition's log end, records of transactions not yet committed included (the high
   * watermark; logBounds' high is the last stable offset, where a read-committed consumer stops).
   */
  readonly logEnds: () => Promise<Map<number, number>>;
  /**
   * When the consumer's fetches last failed or hung (FetchHealth); an idle advance needs them
   * healthy for the whole idle time before it. Default: never.
   */
  readonly lastFetchTroubleAtMs?: () => number;
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
 * The per-partition I/O shell around the pure PartitionProcessor, composing its parts:
 * checkpoint loading, the consumer's position, processing, write scheduling, and advancing the
 * log clock of partitions that went quiet. All work on one partition runs under its lock, one
 * batch at a time.
 */
export class PartitionRunner {
  private readonly slots = new Map<number, PartitionSlot>();
  private readonly writes: WriteScheduler;
  private readonly loader: CheckpointLoaderOptions;
  stopping = false;

  constructor(private readonly options: PartitionRunnerOptions) {
    this.writes = new WriteScheduler(options);
    this.loader = { ...options, restores: new SerialLock() };
  }

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

  /** The longest any partition has been behind since last asked (PartitionSlot.takeBacklogMs). */
  takeBacklogMs(nowMs: number): number {
    let longest = 0;
    for (const slot of this.slots.values()) longest = Math.max(longest, slot.takeBacklogMs(nowMs));
    return longest;
  }

  /** Every partition has its state loaded, every record read and every output written. */
  settled(): boolean {
    for (const slot of this.slots.values()) if (!slot.settled) return false;
    return true;
  }

  /** Every partition has checkpointed at or after `ms`, or has no progress to checkpoint. */
  checkpointedSince(ms: number): boolean {
    for (const slot of this.slots.values())
      if (slot.hasUncheckpointedProgress && slot.lastCheckpointAtMs < ms) return false;
    return true;
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
        slot.forgetPosition();
        continue;
      }
      slot.revoked = true;
      this.slots.delete(partition);
      this.options.metrics.forgetPartition(partition);
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
      const processor = slot.processor ?? (await loadCheckpoint(slot, this.loader, signal));
      if (
        !slot.verified &&
        !(await verifyPosition(slot, processor, batch, context.consumer, this.options, signal))
      )
        return;
      if (context.isStale()) return;

      this.noteRecordsBehindIdleAdvance(slot, batch);
      const outputs = processor.processBatch(batch.messages, Number(batch.lastOffset()) + 1);
      const now = this.options.now();
      slot.highWatermark = Number(batch.highWatermark);
      slot.observeProgress(now);
      this.collect(slot, outputs, now);
      const caughtUp = processor.nextOffset >= slot.highWatermark;
      if (this.writes.shouldWrite(slot, now, caughtUp, this.stopping)) {
        // The previous write ran while this batch was processed; outputs stay in order.
        await this.writes.settle(slot, signal);
        this.writes.start(slot, context.consumer, this.stopping);
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
      // Another instance checkpointed this partition since: the next batch, if the group still
      // sends one, reloads that newer checkpoint (logged by the writer).
      if (error instanceof CheckpointSupersededError) return;
      throw error;
    }
  }

  /** Idle advances, overdue checkpoints and state loading; called by the processor's timer. */
  async tick(
    consumer: Pick<Consumer, 'commitOffsets' | 'seek'>,
    signal: AbortSignal,
  ): Promise<void> {
    if (this.stopping) return;
    const now = this.options.now();
    const slots = this.assigned().filter((slot) => !slot.lock.busy);
    // A partition with nothing new to read never gets a batch: load its state anyway, or the
    // open windows of its checkpoint would never be closed.
    const unloaded = slots.filter((slot) => slot.processor === undefined);
    const idle = slots.filter((slot) => this.idleAdvanceTarget(slot, now) !== undefined);
    const overdue = slots.filter(
      (slot) =>
        slot.verified &&
        !idle.includes(slot) &&
        slot.hasUncheckpointedProgress &&
        (this.writes.checkpointDue(slot, now) ||
          slot.pending.ageMs(now) >= this.options.maxWriteDelayMs),
    );
    // Only a partition with nothing left to read is idle: one whose consumer is merely held up
    // (a sink outage, a backlog elsewhere) must not move its log clock. Nor one with readings
    // written in a transaction not committed yet: a producer held up between its writes and its
    // commit (a failover that moves its transaction coordinator) sends them when it can.
    const ends = idle.length > 0 ? await this.options.logEnds() : new Map<number, number>();
    const caughtUp = (slot: PartitionSlot) => {
      const end = ends.get(slot.partition);
      return end !== undefined && (slot.position ?? -1) >= end;
    };
    await Promise.all([
      ...unloaded.map((slot) => this.loadIdle(slot, consumer, signal)),
      ...idle
        .filter(caughtUp)
        .map((slot) =>
          this.runLocked(slot, signal, () => this.advanceIdle(slot, consumer, signal)),
        ),
      ...overdue.map((slot) =>
        this.runLocked(slot, signal, async () => {
          if (slot.verified && slot.hasUncheckpointedProgress)
            await this.writes.write(slot, consumer, signal, false);
        }),
      ),
    ]);
  }

  /** Writes every partition's unwritten progress with a checkpoint (graceful shutdown). */
  async checkpointAll(
    consumer: Pick<Consumer, 'commitOffsets'>,
    signal: AbortSignal,
  ): Promise<void> {
    await Promise.all(
      this.assigned().map((slot) =>
        this.runLocked(slot, signal, async () => {
          if (slot.verified && slot.hasUncheckpointedProgress)
            await this.writes.write(slot, consumer, signal, true);
        }),
      ),
    );
  }

  /**
   * Loads the state of a partition that gets no batch, and points the consumer at its
   * checkpoint. After a refused or failed write dropped the state, the consumer has read past
   * that checkpoint; with nothing new to read, no batch would come to find it ahead and seek
   * back (verifyPosition), and the records between would never be processed again. Where the
   * consumer already is at the checkpoint (a partition assigned with nothing to read), the seek
   * changes nothing.
   */
  private async loadIdle(
    slot: PartitionSlot,
    consumer: Pick<Consumer, 'seek'>,
    signal: AbortSignal,
  ): Promise<void> {
    try {
      await slot.lock.run(async () => {
        if (slot.revoked || slot.processor !== undefined || this.stopping) return;
        const processor = await loadCheckpoint(slot, this.loader, signal);
        consumer.seek({
          topic: this.options.rawTopic,
          partition: slot.partition,
          offset: String(processor.nextOffset),
        });
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

  private async runLocked(
    slot: PartitionSlot,
    signal: AbortSignal,
    task: () => Promise<void>,
  ): Promise<void> {
    try {
      await slot.lock.run(async () => {
        if (slot.revoked || slot.processor === undefined) return;
        try {
          await this.writes.settle(slot, signal);
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

  /** Records that came later than the idle advance's assumption allows: counted and logged. */
  private noteRecordsBehindIdleAdvance(slot: PartitionSlot, batch: Batch): void {
    const behind = recordsBehindIdleAdvance(batch.messages, slot.idleAdvancedToMs);
    if (behind === 0) return;
    this.options.metrics.recordsBehindIdleAdvance.inc(
      { partition: String(slot.partition) },
      behind,
    );
    this.options.logger.warn(
      {
        partition: slot.partition,
        records: behind,
        idleAdvancedTo: new Date(slot.idleAdvancedToMs).toISOString(),
      },
      "records reached the log later than IDLE_FLUSH_MS allows: windows the idle advance closed may have missed their readings (dead-lettered as late); raise IDLE_FLUSH_MS above the producers' longest hold and clock error",
    );
  }

  /** Where the slot's log clock may move now if it is caught up (core/idle-advance). */
  private idleAdvanceTarget(slot: PartitionSlot, now: number): number | undefined {
    if (slot.processor === undefined) return undefined;
    return idleAdvanceTarget({
      nowMs: now,
      idleAdvanceMs: this.options.idleAdvanceMs,
      nextQuietCheckMs: slot.processor.nextQuietCheckMs,
      lastFetchTroubleAtMs: this.options.lastFetchTroubleAtMs?.() ?? -Infinity,
    });
  }

  /**
   * A caught-up partition's log clock moves by the idle advance (core/idle-advance), and
   * instruments gone quiet by then have their windows closed. Checkpointed at once: a replay
   * must start after it, never repeat it.
   */
  private async advanceIdle(
    slot: PartitionSlot,
    consumer: Pick<Consumer, 'commitOffsets'>,
    signal: AbortSignal,
  ): Promise<void> {
    const processor = slot.processor;
    const now = this.options.now();
    // Again under the lock: a batch may have moved the log clock since the tick looked.
    const target = this.idleAdvanceTarget(slot, now);
    if (processor === undefined || target === undefined) return;
    // Always checkpointed, even when nothing closed: the log clock moved, and a replay cannot.
    const outputs = processor.advanceLogTime(target);
    slot.idleAdvancedToMs = target;
    this.options.logger.debug(
      { partition: slot.partition, logTimeMs: target, windows: outputs.windows.length },
      'idle advance: windows of quiet instruments closed',
    );
    this.collect(slot, outputs, now);
    await this.writes.write(slot, consumer, signal, true);
  }

  private collect(slot: PartitionSlot, outputs: ProcessorOutputs, now: number): void {
    this.options.metrics.recordAccounting(slot.partition, outputs.accounting, outputs.skipped);
    for (const change of outputs.levelChanges)
      this.options.logger.info(
        { partition: slot.partition, change },
        'trigger levels changed: windows closed from here on are judged on them',
      );
    slot.pending.add(outputs, now);
    if (outputs.windows.length > 0) this.writes.noteWindows(slot, now);
  }
}
