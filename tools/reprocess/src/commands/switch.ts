import { assertAliasNamesFree, moveAliases } from '../aliases';
import type { Context } from '../context';
import { ReprocessError } from '../errors';
import { versionEnvironment } from '../names';
import { switchReadSchema } from '../read-schema';
import { findVersion, readPointer, type VersionRow } from '../registry';
import { awaitCaughtUp } from './progress';
import { requireVersion } from './shared';

/**
 * Moves every reader to a version, one step each: the Elasticsearch aliases in one `_aliases`
 * call (under the registry's lock), then the views and the pointer in one transaction. If the
 * transaction fails after the aliases moved, they are moved back. Returns the previous version.
 */
async function pointReadersAt(ctx: Context, row: VersionRow): Promise<string | null> {
  const { config } = ctx;
  let movedFrom: string | undefined;
  try {
    const { previous } = await switchReadSchema(ctx.db, {
      readSchema: config.readSchema,
      version: row.version,
      versionSchema: row.pgSchema,
      roles: { readRole: config.readRole, drawingsRole: config.drawingsRole },
      whileLocked: async (current) => {
        if (!ctx.es) return;
        await assertAliasNamesFree(ctx.es, config.readIndexPrefix);
        const old =
          current === null ? undefined : await findVersion(ctx.db, config.readSchema, current);
        await moveAliases(ctx.es, config.readIndexPrefix, row.esIndexPrefix);
        movedFrom = old?.esIndexPrefix;
      },
    });
    return previous;
  } catch (error) {
    // The views did not move: put the searches back where they were.
    if (ctx.es && movedFrom !== undefined)
      await moveAliases(ctx.es, config.readIndexPrefix, movedFrom).catch(() => undefined);
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
  await pointReadersAt(ctx, row);
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
  await pointReadersAt(ctx, row);
  ctx.out(
    `rolled readers back to ${row.version} (\`reprocess rollback\` again returns to ${pointer.current})`,
  );
}
