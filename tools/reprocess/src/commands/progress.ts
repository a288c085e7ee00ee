import type { Context } from '../context';
import { logBounds, versionCheckpoints } from '../facts';
import type { VersionNames } from '../names';
import { isAlive } from '../processor-child';
import { progressBar, progressOf, rateOf, statusLine, type Progress } from '../progress';
import type { VersionRow } from '../registry';
import { requireVersion } from './shared';

/** How far a version has read the raw log (from its PostgreSQL checkpoints). */
export async function progressOfVersion(
  ctx: Context,
  version: Pick<VersionNames, 'pgSchema' | 'consumerGroup'>,
): Promise<{ progress: Progress; readings: number }> {
  const bounds = await logBounds(await ctx.admin(), ctx.config.rawTopic);
  const { checkpoints, accounting } = await versionCheckpoints(
    ctx.db,
    version,
    ctx.config.rawTopic,
  );
  return { progress: progressOf(bounds, checkpoints), readings: accounting.readings };
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
): Promise<Progress> {
  let before = { atMs: ctx.now(), ...(await progressOfVersion(ctx, version)) };
  for (;;) {
    await ctx.sleep(intervalMs);
    const now = await progressOfVersion(ctx, version);
    const after = { atMs: ctx.now(), ...now };
    const rate = rateOf(
      { atMs: before.atMs, readings: before.readings, done: before.progress.done },
      { atMs: after.atMs, readings: after.readings, done: after.progress.done },
      now.progress.lag,
    );
    ctx.status(`${progressBar(now.progress)} ${statusLine(version.version, now.progress, rate)}`);
    if (!follow || now.progress.lag === 0) return now.progress;
    before = after;
  }
}

export async function status(ctx: Context, name: string, follow: boolean): Promise<Progress> {
  const row = await requireVersion(ctx, name);
  const progress = await watch(ctx, row, follow);
  if (row.pid !== null && !isAlive(row.pid))
    ctx.out(`  its processor (pid ${row.pid}) is not running here`);
  return progress;
}
