import type { Knex } from 'knex';
import { qualified, quoteIdentifier } from './identifiers';
import { REPROCESS_TABLES } from './tables';

/** The output names of the pipeline version readers see now (tools/reprocess's pointer). */
export interface CurrentVersion {
  readonly version: string;
  readonly topicPrefix: string;
  readonly topicSuffix: string;
  readonly alertsTopic: string;
}

/**
 * The version the reprocessing registry points readers at, or undefined when the schema holds
 * no registry (no reprocessing set up) or no version is current yet: the configured names stand.
 * With `schema` the registry is looked up there; without it, through the connection's
 * search_path (a reader whose search_path is the read schema). Every reader that follows a
 * switch-over without a restart (the dashboard's live feed, the alarm-manager's alerts topic)
 * asks this one query.
 */
export async function readCurrentVersion(
  db: Knex,
  schema?: string,
): Promise<CurrentVersion | undefined> {
  const name = (table: string): string =>
    schema === undefined ? quoteIdentifier(table) : qualified(schema, table);
  // Asked first, so a schema without a registry costs no failing query (and no server log line).
  const present = await db.raw<{ rows: { present: boolean }[] }>(
    'select to_regclass(?) is not null as present',
    [name(REPROCESS_TABLES.pointer)],
  );
  if (!present.rows[0]?.present) return undefined;
  try {
    const result = await db.raw<{
      rows: { name: string; topic_prefix: string; topic_suffix: string; alerts_topic: string }[];
    }>(
      `select v.name, v.topic_prefix, v.topic_suffix, v.alerts_topic
       from ${name(REPROCESS_TABLES.pointer)} p
       join ${name(REPROCESS_TABLES.versions)} v on v.name = p.current`,
    );
    const row = result.rows[0];
    if (row === undefined) return undefined;
    return {
      version: row.name,
      topicPrefix: row.topic_prefix,
      topicSuffix: row.topic_suffix,
      alertsTopic: row.alerts_topic,
    };
  } catch (error) {
    // undefined_table: the registry went between the two queries.
    if ((error as { code?: string }).code === '42P01') return undefined;
    throw error;
  }
}
