import type { Knex } from 'knex';
import { readCurrentVersion } from '@geostream/sinks/names';
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
  const current = await readCurrentVersion(db);
  if (current === undefined) return undefined;
  return {
    version: current.version,
    topics: {
      alerts: current.alertsTopic,
      windows: windowTopicNames(current.topicPrefix, current.topicSuffix),
    },
  };
}

export function sameTopics(a: LiveTopics, b: LiveTopics): boolean {
  return JSON.stringify(a) === JSON.stringify(b);
}
