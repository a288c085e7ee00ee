import type { PartitionProcessor } from '../core/partition-processor';
import { PendingOutputs } from './pending-outputs';
import { SerialLock } from './serial-lock';

/**
 * What this instance holds for one input partition it is assigned, and the facts about it the
 * runner's parts share. `processor` is the partition's state in memory: absent until loaded from
 * its checkpoint, dropped whenever it may have run ahead of what was written (a failed or
 * interrupted write), so the next batch reloads the last checkpoint and replays from there.
 */
export class PartitionSlot {
  readonly lock = new SerialLock();
  readonly pending = new PendingOutputs();
  processor: PartitionProcessor | undefined;
  /** The consumer's position was checked against the processor's since the last (re)join. */
  verified = false;
  seekTarget: number | undefined;
  seekAttempts = 0;
  /** Next offset as of the last checkpoint written (or loaded); -1 when there is none. */
  checkpointedOffset = -1;
  lastCheckpointAtMs: number;
  /** The log clock the last idle advance of the state in memory set (-Infinity: none). */
  idleAdvancedToMs = -Infinity;
  /**
   * Processor clock when windows last closed here or a write of closed windows last finished
   * (from the slot's creation: a restart's first windows are not a burst after a lull).
   */
  lastWindowsAtMs: number;
  /** Processor clock when windows last closed after a lull (a burst began; -Infinity: never). */
  burstStartedAtMs = -Infinity;
  /** Processor clock when the partition last had nothing left to read (-Infinity: never). */
  caughtUpAtMs = -Infinity;
  /** Past transaction markers kafkajs consumed without a batch for us (log end checks). */
  filteredPosition = 0;
  highWatermark: number | undefined;
  revoked = false;
  /**
   * The write of the previous outputs, still running while the next batch is processed (CPU
   * and the sinks' I/O overlap). At most one: the next write waits for it.
   */
  inflight: Promise<void> | undefined;
  /** Processor clock when the partition last moved forward, or had nothing to read. */
  progressAtMs: number;
  private progressPosition: number | undefined;

  /** The longest stretch behind that ended since takeBacklogMs last asked. */
  private longestBehindMs = 0;
  /** Seen with records left to read since it last reached the end of its log. */
  private behindSinceCaughtUp = false;
  /** Processor clock when this instance was assigned the partition. */
  readonly assignedAtMs: number;

  constructor(
    readonly partition: number,
    nowMs: number,
  ) {
    this.assignedAtMs = nowMs;
    this.lastCheckpointAtMs = nowMs;
    this.lastWindowsAtMs = nowMs;
    this.progressAtMs = nowMs;
  }

  /** Forgets the in-memory state: the next batch reloads the checkpoint and seeks to it. */
  dropState(): void {
    this.processor = undefined;
    this.idleAdvancedToMs = -Infinity;
    this.pending.clear();
    this.forgetPosition();
    this.filteredPosition = 0;
  }

  /** After a (re)join or a reload: the consumer's position must be checked again. */
  forgetPosition(): void {
    this.verified = false;
    this.seekTarget = undefined;
    this.seekAttempts = 0;
  }

  get position(): number | undefined {
    if (this.processor === undefined) return undefined;
    return Math.max(this.processor.nextOffset, this.filteredPosition);
  }

  get lag(): number | undefined {
    const position = this.position;
    if (position === undefined || this.highWatermark === undefined) return undefined;
    return Math.max(0, this.highWatermark - position);
  }

  /**
   * Notes whether the partition moved since last asked: its position advanced, or it has
   * nothing left to read. How long it has not is what makes it stalled.
   */
  observeProgress(nowMs: number): void {
    const position = this.position;
    const lag = this.lag;
    if (lag !== undefined && lag > 0) this.behindSinceCaughtUp = true;
    if (lag === 0) {
      // Only a stretch in which it was seen behind: a partition idle at its end is not.
      if (this.behindSinceCaughtUp)
        this.longestBehindMs = Math.max(
          this.longestBehindMs,
          nowMs - Math.max(this.caughtUpAtMs, this.assignedAtMs),
        );
      this.behindSinceCaughtUp = false;
      this.caughtUpAtMs = nowMs;
    }
    if (position !== this.progressPosition || this.lag === 0) {
      this.progressPosition = position;
      this.progressAtMs = nowMs;
    }
  }

  /**
   * How long the partition has had records left to read without ever reaching the end of its
   * log (since it was assigned): 0 when it has nothing left to read or the end is not known yet.
   * A live partition reaches the end at most batches, so this stays short; a backlog grows it.
   */
  behindForMs(nowMs: number): number {
    if (this.processor !== undefined && (this.lag ?? 0) === 0) return 0;
    return nowMs - Math.max(this.caughtUpAtMs, this.assignedAtMs);
  }

  /**
   * The longest the partition has been behind since last asked: the stretches that ended since
   * (noted at every batch, so a backlog read faster than the caller asks counts too) and the
   * current one.
   */
  takeBacklogMs(nowMs: number): number {
    const longest = Math.max(this.longestBehindMs, this.behindForMs(nowMs));
    this.longestBehindMs = 0;
    return longest;
  }

  /** Nothing left: state loaded, every record read, every output written. */
  get settled(): boolean {
    return (
      this.processor !== undefined &&
      (this.lag ?? 0) === 0 &&
      this.pending.isEmpty &&
      this.inflight === undefined
    );
  }

  /** Progress in memory that no checkpoint records yet. */
  get hasUncheckpointedProgress(): boolean {
    return (
      this.processor !== undefined &&
      (this.inflight !== undefined ||
        !this.pending.isEmpty ||
        this.processor.nextOffset > this.checkpointedOffset)
    );
  }
}
