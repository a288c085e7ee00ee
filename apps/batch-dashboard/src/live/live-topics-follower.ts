import type { Knex } from 'knex';
import { REPROCESS_TABLES } from '@geostream/sinks/names';
import { windowTopicNames, type LiveTopics } from '../config';

/**
 * After a Kappa switch-over (tools/reprocess) the current version writes its per-type and
 * alerts topics under its own names. The registry in the read schema says which; the dashboard
 * reads it through its search_path (PG_SCHEMA = the read schema), so the live feed follows a
 * switch without a restart. Undefined when the schema has no registry (no reprocessing set up)
 * or no current version yet: the configured topics stand.
 */
export async function currentLiveTopics(
  db: Knex,
): Promise<{ version: string; topics: LiveTopics } | undefined> {
  // Asked first, so a schema without a registry costs no failing query (and no server log line).
  const present = await db.raw<{ rows: { present: boolean }[] }>(
    'select to_regclass(?) is not null as present',
    [REPROCESS_TABLES.pointer],
  );
  if (!present.rows[0]?.present) return undefined;
  try {
    const result = await db.raw<{
      rows: { name: string; topic_prefix: string; topic_suffix: string; alerts_topic: string }[];
    }>(
      `select v.name, v.topic_prefix, v.topic_suffix, v.alerts_topic
       from ${REPROCESS_TABLES.pointer} p join ${REPROCESS_TABLES.versions} v on v.name = p.current`,
    );
    const row = result.rows[0];
    if (row === undefined) return undefined;
    return {
      version: row.name,
      topics: {
        alerts: row.alerts_topic,
        windows: windowTopicNames(row.topic_prefix, row.topic_suffix),
      },
    };
  } catch (error) {
    // undefined_table: the registry went between the two queries.
    if ((error as { code?: string }).code === '42P01') return undefined;
    throw error;
  }
}

export function sameTopics(a: LiveTopics, b: LiveTopics): boolean {
  return JSON.stringify(a) === JSON.stringify(b);
}
