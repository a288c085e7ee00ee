import { errorMessage } from '@geostream/platform';
import type { LevelChangeStore } from '@geostream/sinks/app';

/**
 * Degraded while an admin's trigger-level change has waited for the raw topic longer than the
 * publisher's retries take when Kafka answers: the processors still judge on the old levels.
 */
export const LEVEL_CHANGE_WAIT_LIMIT_MS = 60_000;

export async function levelChangesCheck(
  levels: LevelChangeStore,
  nowMs: number,
): Promise<{ ok: boolean; detail: string }> {
  try {
    const since = await levels.waitingSince();
    if (since === null) return { ok: true, detail: 'every change is in the raw topic' };
    const waitedMs = nowMs - Date.parse(since);
    return {
      ok: waitedMs <= LEVEL_CHANGE_WAIT_LIMIT_MS,
      detail: `a trigger-level change has waited for the raw topic since ${since}`,
    };
  } catch (error) {
    return { ok: false, detail: errorMessage(error) };
  }
}
