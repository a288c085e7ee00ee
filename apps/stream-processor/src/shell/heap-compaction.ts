import { getHeapStatistics, setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import type { Logger } from '@geostream/platform';

/**
 * The least time between two compactions of one thread. A loaded live processor (30,000
 * instruments on these 2 cores, windows at p99 5 s) is at times more than 5 s behind its site
 * and compacted once per worker in a 60 s run; a compaction every ten minutes at most costs it
 * nothing noticeable, and a real backlog (a restart, an outage) is rarely closer to the last.
 */
export const MIN_COMPACTION_INTERVAL_MS = 600_000;

/**
 * Tells when a thread has finished catching up on a backlog: one of its partitions had records
 * left to read without reaching the end of its log for at least `minBacklogMs`, and since then
 * every partition has been settled (everything read and written) and has checkpointed (the
 * checkpoint of every instrument that changed is the last large allocation of catching up). A
 * live partition reaches the end of its log at most batches, even at a window-close burst; only
 * a backlog, or a processor that fell that far behind its site, keeps it from there that long.
 */
export class BacklogEnd {
  private inBacklog = false;
  /** When the last backlog ended, until its end is reported. */
  private endedAtMs: number | undefined;
  private reportedAtMs = -Infinity;

  /**
   * `minIntervalMs`: at most one report in that time. A processor that cannot keep up with its
   * site falls behind and catches up again and again; it should not pause for each.
   */
  constructor(
    private readonly minBacklogMs: number,
    private readonly minIntervalMs: number = MIN_COMPACTION_INTERVAL_MS,
  ) {}

  /**
   * One sample. `backlogMs`: the longest any partition has been behind since the last sample;
   * `settled`: nothing is left to read or write; `checkpointedSince(ms)`: every partition has
   * checkpointed at or after `ms`, or has nothing to checkpoint. True once per backlog.
   */
  observe(
    sample: { readonly backlogMs: number; readonly settled: boolean },
    checkpointedSince: (ms: number) => boolean,
    nowMs: number,
  ): boolean {
    if (sample.backlogMs >= this.minBacklogMs) this.inBacklog = true;
    if (!sample.settled) return false;
    if (this.inBacklog) {
      this.inBacklog = false;
      this.endedAtMs ??= nowMs;
    }
    if (this.endedAtMs === undefined || !checkpointedSince(this.endedAtMs)) return false;
    this.endedAtMs = undefined;
    if (nowMs - this.reportedAtMs < this.minIntervalMs) return false;
    this.reportedAtMs = nowMs;
    return true;
  }
}

/** What a thread logs when it compacted its heap (benches and tests look for it). */
export const HEAP_COMPACTED_MESSAGE = 'caught up after a backlog: heap compacted';

type GcOptions = { type: 'major'; execution: 'sync'; flavor: 'last-resort' };
let collect: ((options: GcOptions) => void) | undefined;

export interface HeapCompacted {
  readonly tookMs: number;
  /** The thread's V8 heap (committed bytes) before and after. */
  readonly heapBytesBefore: number;
  readonly heapBytesAfter: number;
}

/**
 * One full collection of this thread's V8 heap that also gives the memory it no longer needs
 * back to the system ("last resort": a regular one leaves the pages resident). V8 keeps the
 * heap it grew to while allocating fast and never shrinks it once the allocation stops: the
 * memory bench's processor held 185 MB live in 790 MB resident for good after catching up,
 * 355 MB after this. It pauses the thread (0.5 to 1.2 s at 100,000 instruments), so the caller
 * runs it only when nothing waits.
 *
 * The collector is reached as Jest does for its heap logging: the flag that exposes it, set
 * at run time, then read from a fresh context (the main context was made without it).
 */
export function compactHeap(): HeapCompacted {
  if (collect === undefined) {
    setFlagsFromString('--expose-gc');
    collect = runInNewContext('gc') as (options: GcOptions) => void;
  }
  const heapBytesBefore = getHeapStatistics().total_heap_size;
  const startedAt = performance.now();
  collect({ type: 'major', execution: 'sync', flavor: 'last-resort' });
  return {
    tookMs: performance.now() - startedAt,
    heapBytesBefore,
    heapBytesAfter: getHeapStatistics().total_heap_size,
  };
}

/** What the compaction needs to know of a thread's partitions (the PartitionRunner). */
export interface BacklogProgress {
  readonly stopping: boolean;
  takeBacklogMs(nowMs: number): number;
  settled(): boolean;
  checkpointedSince(ms: number): boolean;
}

/**
 * The processor's timer step that compacts the thread's heap once after each backlog (never
 * when `minBacklogMs` is 0), and logs it.
 */
export function compactionAfterBacklogs(
  progress: BacklogProgress,
  options: { readonly minBacklogMs: number; readonly now: () => number; readonly logger: Logger },
): () => void {
  if (options.minBacklogMs === 0) return () => undefined;
  const backlogEnd = new BacklogEnd(options.minBacklogMs);
  return () => {
    const nowMs = options.now();
    const ended = backlogEnd.observe(
      { backlogMs: progress.takeBacklogMs(nowMs), settled: progress.settled() },
      (ms) => progress.checkpointedSince(ms),
      nowMs,
    );
    if (!ended || progress.stopping) return;
    const compacted = compactHeap();
    options.logger.info(
      {
        tookMs: Math.round(compacted.tookMs),
        heapMbBefore: Math.round(compacted.heapBytesBefore / 1_048_576),
        heapMbAfter: Math.round(compacted.heapBytesAfter / 1_048_576),
      },
      HEAP_COMPACTED_MESSAGE,
    );
  };
}
