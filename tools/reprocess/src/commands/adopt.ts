import type { Context } from '../context';
import { ReprocessError } from '../errors';
import { VERSION_NAME } from '../names';
import { insertVersion, listVersions } from '../registry';
import { progressOfVersion } from './progress';

/**
 * Registers the running deployment (its outputs named by this environment, as it writes them
 * today) as a version, so the first switch can point readers at it and a rollback can return to
 * it. It is taken as verified (it is what readers see now); cleanup never deletes its outputs.
 */
export async function adopt(ctx: Context, name: string): Promise<void> {
  if (!VERSION_NAME.test(name))
    throw new ReprocessError(
      'REPROCESS_BAD_ARGUMENTS',
      `version ${JSON.stringify(name)}: must match ${VERSION_NAME} (e.g. v1)`,
    );
  const { config } = ctx;
  const versions = await listVersions(ctx.db, config.readSchema);
  const base = config.base;
  const clash = versions.find(
    (v) =>
      v.version === name ||
      v.consumerGroup === base.consumerGroup ||
      v.pgSchema === base.pgSchema ||
      v.esIndexPrefix === base.esIndexPrefix,
  );
  if (clash !== undefined)
    throw new ReprocessError(
      'REPROCESS_VERSION_EXISTS',
      clash.version === name
        ? `version ${name} exists already`
        : `the live deployment's outputs are registered already, as ${clash.version}`,
    );
  const { progress } = await progressOfVersion(ctx, base);
  await insertVersion(
    ctx.db,
    config.readSchema,
    {
      version: name,
      consumerGroup: base.consumerGroup,
      pgSchema: base.pgSchema,
      esIndexPrefix: base.esIndexPrefix,
      topicPrefix: base.topicPrefix,
      topicSuffix: base.topicSuffix,
      dlqTopic: base.dlqTopic,
      alertsTopic: base.alertsTopic,
      settings: {},
      pid: null,
      port: null,
      logFile: null,
    },
    { verification: { adopted: true, lagAtAdoption: progress.lag } },
  );
  ctx.out(
    `adopted the live deployment as ${name} (group ${base.consumerGroup}, schema ${base.pgSchema},` +
      ` indices ${base.esIndexPrefix}-*, lag ${progress.lag}): \`reprocess switch ${name}\` points readers at it`,
  );
}
