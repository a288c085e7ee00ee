import { expireShelf } from '@geostream/alerting';
import { abortableSleep, errorMessage, type Logger } from '@geostream/platform';
import type { AlarmStore } from '@geostream/sinks';
import { releaseParkedEvents } from './event-applier';
import type { AlarmManagerMetrics } from './metrics';

export interface MaintenanceOptions {
  readonly store: AlarmStore;
  readonly metrics: AlarmManagerMetrics;
  readonly logger: Logger;
  readonly clock: () => number;
  /** An event parked longer than this is applied without its predecessor. */
  readonly parkedEventTimeoutMs: number;
  readonly intervalMs: number;
  readonly signal: AbortSignal;
}

/**
 * Time-driven transitions, on the wall clock: shelves whose time has come end (an audit entry
 * by `system`, dated at the shelf's end), and events parked too long are applied without the
 * predecessor they waited for (logged: the chain of that point had a gap).
 */
export function startMaintenance(options: MaintenanceOptions): { readonly done: Promise<void> } {
  const { store, metrics, signal } = options;
  const log = options.logger.child({ component: 'maintenance' });

  async function once(): Promise<void> {
    const now = options.clock();
    for (const point of await store.pointsWithExpiredShelves(new Date(now), 100)) {
      const written = await store.transaction(async (tx) => {
        const lifecycle = await tx.lockPoint(point);
        const transition = lifecycle && expireShelf(lifecycle, now);
        return transition ? tx.writeTransition(transition, { notify: true }) : undefined;
      });
      if (written) metrics.transitions.inc({ action: 'unshelve' });
    }
    const stale = new Date(now - options.parkedEventTimeoutMs);
    for (const point of await store.pointsWithParkedEvents(stale, 100)) {
      const transitions = await releaseParkedEvents(store, point, { notify: true, nowMs: now });
      log.warn(
        { point, transitions: transitions.length },
        'alarm events waited too long for the event before them: applied without it',
      );
      for (const t of transitions) metrics.transitions.inc({ action: t.action });
    }
  }

  async function loop(): Promise<void> {
    while (!signal.aborted) {
      await once().catch((error: unknown) =>
        log.warn({ err: errorMessage(error) }, 'alarm maintenance failed; trying again'),
      );
      await abortableSleep(options.intervalMs, signal).catch(() => undefined);
    }
  }
  return { done: loop() };
}
