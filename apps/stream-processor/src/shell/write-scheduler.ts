import type { Consumer } from 'kafkajs';
import { errorMessage, type Logger } from '@geostream/platform';
import type { WriteOutputs } from './output-writer';
import type { PartitionSlot } from './partition-slot';
import { untilAborted } from './until-aborted';

/**
 * A gap this long between window closes is a lull: a due checkpoint waits for one in a bursty
 * live partition. Longer than the gaps between the batches of one burst (milliseconds), far
 * shorter than those between two bursts (a window length less the burst's few seconds).
 */
export const CHECKPOINT_LULL_MS = 1_000;

export interface WriteSchedulerOptions {
  readonly rawTopic: string;
  readonly writeOutputs: WriteOutputs;
  readonly logger: Logger;
  readonly now: () => number;
  /** Aborts only when shutdown runs out of time: background writes retry until then. */
  readonly lifetime: AbortSignal;
  /** How often a partition's state is checkpointed (bounds the replay after a crash). */
  readonly checkpointIntervalMs: number;
  /** Catching up: outputs may wait this long for more before they are written. */
  readonly maxWriteDelayMs: number;
  /** Catching up: ... or until this many windows and dead letters are pending. */
  readonly maxPendingOutputs: number;
}

/**
 * When a partition's outputs are written, and with or without a checkpoint. Outputs go out as
 * soon as a caught-up partition has any (latency); a partition catching up on a backlog lets
 * them gather (throughput). A checkpoint rides along every `checkpointIntervalMs` (a live
 * partition's in a lull between bursts of window closes: `checkpointDue`), or when asked (an idle
 * advance, shutdown): it is written after the outputs it covers, so the outputs of the
 * writes between two checkpoints are simply produced again, identically, by a replay.
 */
export class WriteScheduler {
  constructor(private readonly options: WriteSchedulerOptions) {}

  /** Whether the outputs gathered so far (or an overdue checkpoint) should be written now. */
  shouldWrite(slot: PartitionSlot, nowMs: number, caughtUp: boolean, stopping: boolean): boolean {
    if (stopping) return slot.hasUncheckpointedProgress;
    const pending = slot.pending;
    if (!pending.isEmpty)
      return (
        caughtUp ||
        pending.windowCount + pending.deadLetterCount >= this.options.maxPendingOutputs ||
        pending.ageMs(nowMs) >= this.options.maxWriteDelayMs
      );
    return slot.hasUncheckpointedProgress && this.checkpointDue(slot, nowMs);
  }

  /**
   * Whether the partition's checkpoint should be written now: every `checkpointIntervalMs`, but
   * not in the middle of a burst of window closes. At a live site every instrument's window
   * ends at the same boundary, so windows close in bursts, and a checkpoint then (every
   * instrument changed since the last one) competes with this partition's and every other
   * partition's burst for PostgreSQL and the CPU. So a partition that had nothing left to read
   * within the interval, and whose window closes came as a burst after a lull within it, writes
   * its due checkpoint once no window closed, nor finished being written, for
   * `CHECKPOINT_LULL_MS`, and at the latest at twice the interval. A partition whose windows
   * close steadily (no burst to avoid), or one catching up on a backlog, writes it with its
   * outputs.
   */
  checkpointDue(slot: PartitionSlot, nowMs: number): boolean {
    const interval = this.options.checkpointIntervalMs;
    const age = nowMs - slot.lastCheckpointAtMs;
    if (age < interval) return false;
    const live = nowMs - slot.caughtUpAtMs < interval;
    const bursty = nowMs - slot.burstStartedAtMs < interval;
    const inBurst = nowMs - slot.lastWindowsAtMs < CHECKPOINT_LULL_MS;
    return !(live && bursty && inBurst) || age >= 2 * interval;
  }

  /** Notes windows closing (or written) now: after a lull, they begin a burst. */
  noteWindows(slot: PartitionSlot, nowMs: number): void {
    if (nowMs - slot.lastWindowsAtMs >= CHECKPOINT_LULL_MS) slot.burstStartedAtMs = nowMs;
    slot.lastWindowsAtMs = nowMs;
  }

  /** Writes what is pending (and a checkpoint if asked or due), and waits for it. */
  async write(
    slot: PartitionSlot,
    consumer: Pick<Consumer, 'commitOffsets'>,
    signal: AbortSignal,
    checkpoint: boolean,
  ): Promise<void> {
    await this.settle(slot, signal);
    this.start(slot, consumer, checkpoint);
    await this.settle(slot, signal);
  }

  /**
   * Starts writing the pending outputs, with a checkpoint of the state that produced them when
   * asked or due. It retries until it succeeds or shutdown runs out of time; whoever waits for
   * it next learns the outcome (settle). The previous write must be settled.
   */
  start(slot: PartitionSlot, consumer: Pick<Consumer, 'commitOffsets'>, checkpoint: boolean): void {
    const processor = slot.processor;
    if (processor === undefined)
      throw new Error(`partition ${slot.partition}: no state in memory to write`);
    const nowMs = this.options.now();
    const withCheckpoint = checkpoint || this.checkpointDue(slot, nowMs);
    if (slot.pending.isEmpty && !withCheckpoint) return;
    const state = withCheckpoint ? processor.checkpoint() : undefined;
    const batch = slot.pending.take();
    const hasWindows = batch.windows.length > 0;
    // Counts from the start: a batch arriving while this write runs is not "overdue" already.
    if (state !== undefined) slot.lastCheckpointAtMs = nowMs;
    const write = this.options
      .writeOutputs(slot.partition, batch, state, this.options.lifetime, slot.checkpointedOffset)
      .then(() => {
        if (slot.inflight === write) slot.inflight = undefined;
        if (hasWindows) this.noteWindows(slot, this.options.now());
        if (state === undefined) return;
        const nextOffset = state.header.nextOffset;
        slot.checkpointedOffset = nextOffset;
        slot.lastCheckpointAtMs = this.options.now();
        // Informational (lag tools): the PostgreSQL checkpoint is what a restart trusts.
        consumer
          .commitOffsets([
            { topic: this.options.rawTopic, partition: slot.partition, offset: String(nextOffset) },
          ])
          .catch((error: unknown) =>
            this.options.logger.debug(
              { partition: slot.partition, error: errorMessage(error) },
              'kafka offset commit skipped',
            ),
          );
      });
    write.catch(() => undefined); // observed by settle
    slot.inflight = write;
  }

  /**
   * Waits for the partition's write in flight, if any (or until `signal` aborts). A failed
   * write took its outputs with it, so it throws and its callers drop the state in memory,
   * still under the partition's lock: the partition resumes from its last checkpoint. A write
   * merely no longer awaited (aborted) stays in flight, for a reload to wait on.
   */
  async settle(slot: PartitionSlot, signal: AbortSignal): Promise<void> {
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
}
