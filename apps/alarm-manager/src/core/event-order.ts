import type { AlarmLifecycle } from '@geostream/alerting';
import type { AlarmEvent } from '@geostream/instrument-schemas';

/**
 * Where an alarm event from the log goes, given its point's lifecycle:
 * - `apply`: it follows what was applied (its from_level is the point's level now);
 * - `park`: an event of the point is missing before it (the alerts topic is keyed by event id,
 *   so one point's raise and clear can sit on different partitions and be read in either
 *   order): it waits, recorded, for its predecessor, and is applied right after it;
 * - `late`: older than the point's last applied event: recorded, not applied (the lifecycle
 *   has moved past it; applying it would move the point back in time).
 * Each point's events chain from_level -> to_level (the alerting lib emits one event per level
 * change), which is what tells a missing event from a present one.
 */
export type EventPlacement = 'apply' | 'park' | 'late';

export function placeEvent(
  lifecycle: AlarmLifecycle | undefined,
  event: AlarmEvent,
): EventPlacement {
  if (lifecycle !== undefined && event.occurred_at < lifecycle.last_event_at) return 'late';
  return event.from_level === (lifecycle?.level ?? 'none') ? 'apply' : 'park';
}
