/** Pure: how far a version has read the raw log, and how that reads on a terminal. */

export interface PartitionBounds {
  readonly partition: number;
  readonly low: number;
  readonly high: number;
}

export interface PartitionCheckpoint {
  readonly partition: number;
  readonly nextOffset: number;
}

export interface Progress {
  /** Records of the retained log the version has checkpointed past. */
  readonly done: number;
  /** Records of the retained log. */
  readonly total: number;
  /** Records still to read: 0 when caught up. */
  readonly lag: number;
}

/**
 * From the raw topic's bounds and the version's checkpoints (PostgreSQL: a checkpoint is written
 * after every output it covers, so what it passed is in every sink). A partition without a
 * checkpoint has read nothing of its retained records.
 */
export function progressOf(
  bounds: readonly PartitionBounds[],
  checkpoints: readonly PartitionCheckpoint[],
): Progress {
  const next = new Map(checkpoints.map((c) => [c.partition, c.nextOffset]));
  let done = 0;
  let total = 0;
  let lag = 0;
  for (const { partition, low, high } of bounds) {
    const position = Math.min(high, Math.max(low, next.get(partition) ?? low));
    total += high - low;
    done += position - low;
    lag += high - position;
  }
  return { done, total, lag };
}

/**
 * True when every partition's checkpoint is at or past that partition's end in `bounds` (the
 * log's ends at some moment): the version had written everything the log held then.
 */
export function hasPassed(
  bounds: readonly PartitionBounds[],
  checkpoints: readonly PartitionCheckpoint[],
): boolean {
  const next = new Map(checkpoints.map((c) => [c.partition, c.nextOffset]));
  return bounds.every(
    ({ partition, low, high }) => high <= low || (next.get(partition) ?? -1) >= high,
  );
}

export interface Rate {
  /** Readings per second between two samples (accounting.readings). */
  readonly readingsPerSecond: number;
  /** Seconds until caught up at the records-per-second rate; undefined when nothing moves. */
  readonly etaSeconds: number | undefined;
}

export function rateOf(
  before: { atMs: number; readings: number; done: number },
  after: { atMs: number; readings: number; done: number },
  lag: number,
): Rate {
  const seconds = Math.max(0.001, (after.atMs - before.atMs) / 1000);
  const recordsPerSecond = (after.done - before.done) / seconds;
  return {
    readingsPerSecond: Math.max(0, (after.readings - before.readings) / seconds),
    etaSeconds: lag === 0 ? 0 : recordsPerSecond > 0 ? lag / recordsPerSecond : undefined,
  };
}

export function formatDuration(seconds: number | undefined): string {
  if (seconds === undefined) return '?';
  const s = Math.round(seconds);
  if (s < 60) return `${s}s`;
  if (s < 3600) return `${Math.floor(s / 60)}m${String(s % 60).padStart(2, '0')}s`;
  return `${Math.floor(s / 3600)}h${String(Math.floor((s % 3600) / 60)).padStart(2, '0')}m`;
}

/** `[#########.........]  45%`: the share of the retained log checkpointed. */
export function progressBar(progress: Progress, width = 30): string {
  const share = progress.total === 0 ? 1 : progress.done / progress.total;
  const filled = Math.round(share * width);
  return `[${'#'.repeat(filled)}${'.'.repeat(width - filled)}] ${String(Math.floor(share * 100)).padStart(3)}%`;
}

export function statusLine(
  version: string,
  progress: Progress,
  rate: Rate | undefined,
  caughtUp = progress.lag === 0,
): string {
  const parts = [
    `${version}: lag ${progress.lag} records`,
    `${progress.done}/${progress.total} read`,
    rate === undefined ? undefined : `${Math.round(rate.readingsPerSecond)} readings/s`,
    caughtUp ? 'caught up' : `ETA ${formatDuration(rate?.etaSeconds)}`,
  ];
  return parts.filter((p) => p !== undefined).join(', ');
}
