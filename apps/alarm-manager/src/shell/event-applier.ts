import { applyAlarmEvent, isShelved, type AlarmLifecycle } from '@geostream/alerting';
import { alarmPointKeyOf, type AlarmEvent } from '@geostream/instrument-schemas';
import type { AlarmStore, AlarmTx } from '@geostream/sinks';
import { placeEvent } from '../core/event-order';

/** What became of one event read from the log. */
export type EventOutcome = 'applied' | 'ignored' | 'parked' | 'late' | 'duplicate';

export interface AppliedEvent {
  readonly outcome: EventOutcome;
  /** Transitions written: this event's and those of parked events it released. */
  readonly transitions: ReadonlyArray<{ readonly action: string; readonly auditId: string }>;
}

export interface ApplyContext {
  /** `<topic>:<partition>:<offset>`, kept with the event. */
  readonly source: string;
  /** Whether its transitions may notify at all (not a catch-up of old events). */
  readonly notify: boolean;
  /** The wall clock: a shelved point notifies nobody. */
  readonly nowMs: number;
}

/**
 * Applies one alarm event in one transaction: the event is recorded by id (a repeat of the
 * at-least-once topic changes nothing), the point locked, the event applied if it follows the
 * point's last one (else parked until its predecessor comes, or recorded as late), and then any
 * parked events it lets follow, in order. Each transition's state, audit entry, notifications
 * and search-outbox entry are written by the store in the same transaction.
 */
export function applyEventFromLog(
  store: AlarmStore,
  event: AlarmEvent,
  context: ApplyContext,
): Promise<AppliedEvent> {
  return store.transaction(async (tx) => {
    if (!(await tx.receiveEvent(event, context.source)))
      return { outcome: 'duplicate', transitions: [] };
    const point = alarmPointKeyOf(event);
    let lifecycle = await tx.lockPoint(point);
    const placement = placeEvent(lifecycle, event);
    if (placement === 'park') return { outcome: 'parked', transitions: [] };
    if (placement === 'late') {
      await tx.settleEvent(event.id, 'ignored');
      return { outcome: 'late', transitions: [] };
    }
    const transitions: { action: string; auditId: string }[] = [];
    const step = await applyOne(tx, lifecycle, event, context, transitions);
    lifecycle = step.lifecycle;
    for (;;) {
      const next = (await tx.parkedEvents(point)).find(
        (parked) => placeEvent(lifecycle, parked) === 'apply',
      );
      if (next === undefined) break;
      lifecycle = (await applyOne(tx, lifecycle, next, context, transitions)).lifecycle;
    }
    return { outcome: step.applied ? 'applied' : 'ignored', transitions };
  });
}

/**
 * Applies a point's parked events in their order whatever their levels say (their predecessor
 * never came: retention deleted it, or the pipeline's state was reset). Late ones are ignored.
 */
export function releaseParkedEvents(
  store: AlarmStore,
  point: string,
  context: Omit<ApplyContext, 'source'>,
): Promise<ReadonlyArray<{ readonly action: string; readonly auditId: string }>> {
  return store.transaction(async (tx) => {
    let lifecycle = await tx.lockPoint(point);
    const transitions: { action: string; auditId: string }[] = [];
    for (const parked of await tx.parkedEvents(point)) {
      if (placeEvent(lifecycle, parked) === 'late') {
        await tx.settleEvent(parked.id, 'ignored');
        continue;
      }
      lifecycle = (await applyOne(tx, lifecycle, parked, { ...context, source: '' }, transitions))
        .lifecycle;
    }
    return transitions;
  });
}

async function applyOne(
  tx: AlarmTx,
  lifecycle: AlarmLifecycle | undefined,
  event: AlarmEvent,
  context: ApplyContext,
  transitions: { action: string; auditId: string }[],
): Promise<{ lifecycle: AlarmLifecycle | undefined; applied: boolean }> {
  const transition = applyAlarmEvent(lifecycle, event);
  if (transition === undefined) {
    await tx.settleEvent(event.id, 'ignored');
    return { lifecycle, applied: false };
  }
  const notify = context.notify && !isShelved(transition.state, context.nowMs);
  const written = await tx.writeTransition(transition, { notify, event });
  await tx.settleEvent(event.id, 'applied');
  transitions.push({ action: transition.audit.action, auditId: written.auditId });
  return { lifecycle: transition.state, applied: true };
}
