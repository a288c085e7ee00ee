import { assertAliasNamesFree, moveAliases } from '../aliases';
import type { Context } from '../context';
import { ReprocessError } from '../errors';
import { versionEnvironment } from '../names';
import { switchReadSchema } from '../read-schema';
import { findVersion, readPointer, type VersionRow } from '../registry';
import { awaitCaughtUp } from './progress';
import { requireVersion } from './shared';

/** Moves every reader to a version: Elasticsearch aliases in one call, the views in one transaction. */
async function pointReadersAt(
  ctx: Context,
  row: VersionRow,
  previous: string | null,
): Promise<void> {
  const { config } = ctx;
  const old =
    previous === null ? undefined : await findVersion(ctx.db, config.readSchema, previous);
  if (ctx.es) {
    await assertAliasNamesFree(ctx.es, config.readIndexPrefix);
    await moveAliases(ctx.es, config.readIndexPrefix, row.esIndexPrefix);
  }
  try {
    await switchReadSchema(ctx.db, {
      readSchema: config.readSchema,
      version: row.version,
      versionSchema: row.pgSchema,
      previous,
      roles: { readRole: config.readRole, drawingsRole: config.drawingsRole },
    });
  } catch (error) {
    // The views did not move: put the searches back where they were.
    if (ctx.es && old !== undefined)
      await moveAliases(ctx.es, config.readIndexPrefix, old.esIndexPrefix).catch(() => undefined);
    throw error;
  }
}

export async function switchTo(ctx: Context, name: string): Promise<void> {
  const { config } = ctx;
  const row = await requireVersion(ctx, name);
  const pointer = await readPointer(ctx.db, config.readSchema);
  if (pointer.current === name)
    throw new ReprocessError('REPROCESS_IS_CURRENT', `${name} is the current version already`);
  const progress = await awaitCaughtUp(ctx, row);
  if (!progress.caughtUp)
    throw new ReprocessError(
      'REPROCESS_NOT_CAUGHT_UP',
      `${name} has not caught up (lag ${progress.lag} records; its checkpoints did not pass the log's end within REPROCESS_CAUGHT_UP_MS): nothing switched`,
    );
  if (row.state !== 'verified')
    throw new ReprocessError(
      'REPROCESS_NOT_VERIFIED',
      `${name} has not passed verification${
        row.verification === null ? ' (run `reprocess verify ' + name + '`)' : ''
      }: nothing switched${problemsOf(row.verification)}`,
    );
  await pointReadersAt(ctx, row, pointer.current);
  ctx.out(
    `switched readers to ${name}: views ${config.readSchema}.* -> ${row.pgSchema}, aliases ` +
      `${config.readIndexPrefix}-* -> ${row.esIndexPrefix}-*, per-type topics *${row.topicSuffix}` +
      (pointer.current === null ? '' : ` (\`reprocess rollback\` returns to ${pointer.current})`),
  );
  ctx.out(`  the processor deployment's environment for ${name}:`);
  for (const [variable, value] of Object.entries(deploymentEnvironment(row)))
    ctx.out(`    ${variable}=${value}`);
}

function problemsOf(verification: unknown): string {
  const problems = (verification as { problems?: string[] } | null)?.problems ?? [];
  return problems.map((p) => `\n  problem: ${p}`).join('');
}

/** What the processor deployment sets to run a version (its names and its settings). */
export function deploymentEnvironment(row: VersionRow): Record<string, string> {
  return { ...row.settings, ...versionEnvironment(row, row.topicPrefix) };
}

/** Back to the version readers saw before the last switch, in one step each. */
export async function rollback(ctx: Context): Promise<void> {
  const { config } = ctx;
  const pointer = await readPointer(ctx.db, config.readSchema);
  if (pointer.previous === null)
    throw new ReprocessError('REPROCESS_NO_PREVIOUS', 'no previous version to roll back to');
  const row = await requireVersion(ctx, pointer.previous);
  await pointReadersAt(ctx, row, pointer.current);
  ctx.out(
    `rolled readers back to ${row.version} (\`reprocess rollback\` again returns to ${pointer.current})`,
  );
}
