import type { Context } from '../context';
import { ReprocessError } from '../errors';
import { compareVersions, versionCheckpoints } from '../facts';
import { findVersion, readPointer, recordVerification } from '../registry';
import { formatReport, judge, type VerificationReport } from '../verify-report';
import { awaitCaughtUp } from './progress';
import { requireVersion } from './shared';

/**
 * Checks a caught-up version before anyone reads it: the accounting identity over its
 * checkpoints, its coverage against the current version's, and what changed.
 */
export async function verify(ctx: Context, name: string): Promise<VerificationReport> {
  const { config } = ctx;
  const row = await requireVersion(ctx, name);
  const progress = await awaitCaughtUp(ctx, row);
  if (!progress.caughtUp)
    throw new ReprocessError(
      'REPROCESS_NOT_CAUGHT_UP',
      `${name} has not caught up (lag ${progress.lag} records): verify once \`reprocess status ${name}\` says caught up`,
    );
  const { accounting } = await versionCheckpoints(ctx.db, row, config.rawTopic);
  const pointer = await readPointer(ctx.db, config.readSchema);
  const current =
    pointer.current !== null && pointer.current !== name
      ? await findVersion(ctx.db, config.readSchema, pointer.current)
      : undefined;
  const comparison =
    current === undefined
      ? null
      : await compareVersions(
          ctx.db,
          { version: current.version, pgSchema: current.pgSchema },
          row,
        );
  const report = judge(name, accounting, comparison);
  await recordVerification(ctx.db, config.readSchema, name, report.passed, report);
  ctx.out(formatReport(report));
  return report;
}
