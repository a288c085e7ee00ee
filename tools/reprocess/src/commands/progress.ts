import type { Context } from '../context';
import { logBounds, versionCheckpoints } from '../facts';
import type { VersionNames } from '../names';
import { isAlive } from '../processor-child';
import {
  hasPassed,
  progressBar,
  progressOf,
  rateOf,
  statusLine,
  type PartitionBounds,
  type PartitionCheckpoint,
  type Progress,
} from '../progress';
import type { VersionRow } from '../registry';
import { requireVersion } from './shared';

type Checkpointed = Pick<VersionNames, 'pgSchema' | 'consumerGroup'>;

interface Sample {
  readonly atMs: number;
  readonly bounds: PartitionBounds[];
  readonly checkpoints: PartitionCheckpoint[];
  readonly progress: Progress;
  readonly readings: number;
}

/** How far a version has read the raw log (from its PostgreSQL checkpoints), now. */
export async function progressOfVersion(ctx: Context, version: Checkpointed): Promise<Sample> {
  const bounds = await logBounds(await ctx.admin(), ctx.config.rawTopic);
  const { checkpoints, accounting } = await versionCheckpoints(
    ctx.db,
    version,
    ctx.config.rawTopic,
  );
  return {
    atMs: ctx.now(),
    bounds,
    checkpoints,
    progress: progressOf(bounds, checkpoints),
    readings: accounting.readings,
  };
}

/**
 * Caught up: the version's checkpoints have passed where the log ended at most
 * REPROCESS_CAUGHT_UP_MS ago. On a log that is still written, a checkpoint trails its end by the
 * records since the last one, so a lag of exactly 0 is a quiet log's criterion, not a live one's.
 * Samples the log's end now and waits up to that long for the checkpoints to pass it.
 */
export async function awaitCaughtUp(
  ctx: Context,
  version: Checkpointed,
): Promise<{ caughtUp: boolean; lag: number }> {
  const start = await progressOfVersion(ctx, version);
  let sample = start;
  for (;;) {
    if (hasPassed(start.bounds, sample.checkpoints)) return { caughtUp: true, lag: 0 };
    if (sample.atMs - start.atMs >= ctx.config.caughtUpMs)
      return { caughtUp: false, lag: sample.progress.lag };
    await ctx.sleep(Math.min(500, ctx.config.caughtUpMs));
    sample = await progressOfVersion(ctx, version);
  }
}

/**
 * Samples progress every `intervalMs` and shows lag, readings/s, ETA and a bar, until caught up
 * (or once, without `follow`).
 */
export async function watch(
  ctx: Context,
  version: VersionRow | (VersionNames & { version: string }),
  follow: boolean,
  intervalMs = 1_000,
): Promise<{ progress: Progress; caughtUp: boolean }> {
  let before = await progressOfVersion(ctx, version);
  let recent: Sample[] = [before];
  for (;;) {
    await ctx.sleep(intervalMs);
    const after = await progressOfVersion(ctx, version);
    recent = [...recent, after].filter((s) => after.atMs - s.atMs <= ctx.config.caughtUpMs);
    const caughtUp = recent.some((s) => hasPassed(s.bounds, after.checkpoints));
    const rate = rateOf(
      { atMs: before.atMs, readings: before.readings, done: before.progress.done },
      { atMs: after.atMs, readings: after.readings, done: after.progress.done },
      after.progress.lag,
    );
    ctx.status(
      `${progressBar(after.progress)} ${statusLine(version.version, after.progress, rate, caughtUp)}`,
    );
    if (!follow || caughtUp) return { progress: after.progress, caughtUp };
    before = after;
  }
}

export async function status(
  ctx: Context,
  name: string,
  follow: boolean,
): Promise<{ progress: Progress; caughtUp: boolean }> {
  const row = await requireVersion(ctx, name);
  const progress = await watch(ctx, row, follow);
  if (row.pid !== null && !isAlive(row.pid))
    ctx.out(`  its processor (pid ${row.pid}) is not running here`);
  return progress;
}
