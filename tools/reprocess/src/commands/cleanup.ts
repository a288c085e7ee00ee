import type { Context } from '../context';
import { ReprocessError } from '../errors';
import { indicesOf, versionTopics } from '../names';
import { stopProcessor } from '../processor-child';
import { deleteVersion, readPointer } from '../registry';
import { quoted } from '../sql';
import { requireVersion } from './shared';

/**
 * Deletes everything a version wrote (its processor stopped first): PostgreSQL schema,
 * Elasticsearch indices, topics, consumer group, registry row. Never the current version.
 */
export async function cleanup(ctx: Context, name: string, confirmed: boolean): Promise<void> {
  const { config } = ctx;
  const row = await requireVersion(ctx, name);
  const pointer = await readPointer(ctx.db, config.readSchema);
  if (pointer.current === name)
    throw new ReprocessError(
      'REPROCESS_IS_CURRENT',
      `${name} is the current version: switch readers to another version first`,
    );
  if (row.adopted)
    throw new ReprocessError(
      'REPROCESS_IS_ADOPTED',
      `${name} is the adopted live deployment (schema ${row.pgSchema}, indices ${row.esIndexPrefix}-*,` +
        ` group ${row.consumerGroup}): the tool never deletes its outputs; stop it and delete them by hand`,
    );
  const topics = [...versionTopics(row, row.topicPrefix), row.dlqTopic, row.alertsTopic];
  const indices = indicesOf(row.esIndexPrefix).map((i) => i.name);
  const what =
    `schema ${row.pgSchema}, indices ${indices.join(', ')}, topics ${topics.join(', ')}, ` +
    `consumer group ${row.consumerGroup}`;
  if (!confirmed)
    throw new ReprocessError(
      'REPROCESS_CONFIRMATION_REQUIRED',
      `cleanup deletes ${what}${pointer.previous === name ? ' (rollback will no longer be possible)' : ''}: add --yes to confirm`,
    );
  if (row.pid !== null) await stopProcessor(row.pid);
  const admin = await ctx.admin();
  await admin.deleteGroups([row.consumerGroup]).catch((error: unknown) => {
    // A group that never committed offsets does not exist: nothing to delete.
    const groups = (error as { groups?: { error?: { type?: string } }[] }).groups ?? [];
    const absent = groups.length > 0 && groups.every((g) => g.error?.type === 'GROUP_ID_NOT_FOUND');
    if (!absent) throw error;
  });
  const existing = new Set(await admin.listTopics());
  const present = topics.filter((t) => existing.has(t));
  if (present.length > 0) await admin.deleteTopics({ topics: present });
  if (ctx.es) await ctx.es.indices.delete({ index: indices, ignore_unavailable: true });
  await ctx.db.raw(`drop schema if exists ${quoted(row.pgSchema)} cascade`);
  await deleteVersion(ctx.db, config.readSchema, name);
  ctx.out(`cleaned up ${name}: deleted ${what}`);
}
