import { applyLevelChanges, type SiteConfig } from '@geostream/instrument-schemas';
import type { LevelChangeStore } from '@geostream/sinks/app';

/**
 * The levels the dashboard shows: SITE_CONFIG_FILE with the admins' changes in force laid over
 * it, as the processors apply them once they read them from the raw topic (a change not yet
 * published shows here first; the admin page says which are).
 */
export async function effectiveSiteConfig(
  file: SiteConfig | undefined,
  store: LevelChangeStore,
): Promise<SiteConfig | undefined> {
  return applyLevelChanges(file, await store.current());
}
