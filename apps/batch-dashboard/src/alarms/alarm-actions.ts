import {
  acknowledgeAlarm,
  commentOnAlarm,
  isAlertingError,
  shelveAlarm,
  unshelveAlarm,
  type AlarmLifecycle,
  type AlarmTransition,
  type AlertingErrorCode,
} from '@geostream/alerting';
import type { AlarmStore } from '@geostream/sinks/app';
import { BadRequestError } from '../errors';

/** What a person does to an alarm from the dashboard. */
export type PersonAction =
  | { readonly kind: 'acknowledge'; readonly comment?: string }
  | { readonly kind: 'comment'; readonly comment: string }
  | { readonly kind: 'unshelve'; readonly comment?: string }
  | {
      readonly kind: 'shelve';
      readonly untilMs: number;
      readonly reason: string;
      readonly comment?: string;
    };

/** The lifecycle's refusals: conflicts with the alarm's state are 409, bad requests 400. */
const CONFLICTS: ReadonlySet<AlertingErrorCode> = new Set([
  'ALARM_CLOSED',
  'ALREADY_ACKNOWLEDGED',
  'NOT_SHELVED',
]);

/**
 * Applies a person's action to an occurrence in one transaction (the point's lock, its new
 * state, the audit entry, the notifications its routes want, the search outbox, NOTIFY), or
 * refuses it with nothing written: 404 for an unknown alarm, 409 when the alarm's state does
 * not allow it (closed, already acknowledged, not shelved), 400 for a bad request.
 */
export async function actOnAlarm(
  store: AlarmStore,
  alarmId: string,
  by: string,
  atMs: number,
  action: PersonAction,
  options: { readonly maxShelveMs?: number } = {},
): Promise<{ readonly lifecycle: AlarmLifecycle; readonly auditId: string }> {
  try {
    return await store.transaction(async (tx) => {
      const found = await tx.lockOccurrence(alarmId);
      if (found === undefined)
        throw new BadRequestError('unknown_alarm', [`no alarm ${alarmId}`], 404);
      const base = {
        alarmId,
        by,
        atMs,
        ...(action.comment !== undefined && { comment: action.comment }),
      };
      const { lifecycle } = found;
      let transition: AlarmTransition;
      switch (action.kind) {
        case 'acknowledge':
          transition = acknowledgeAlarm(lifecycle, base);
          break;
        case 'comment':
          transition = commentOnAlarm(lifecycle, base);
          break;
        case 'unshelve':
          transition = unshelveAlarm(lifecycle, base);
          break;
        case 'shelve':
          transition = shelveAlarm(
            lifecycle,
            { ...base, untilMs: action.untilMs, reason: action.reason },
            options,
          );
          break;
      }
      const written = await tx.writeTransition(transition, { notify: true });
      return { lifecycle: transition.state, auditId: written.auditId };
    });
  } catch (error) {
    if (!isAlertingError(error)) throw error;
    throw new BadRequestError(
      error.code.toLowerCase(),
      [error.message],
      CONFLICTS.has(error.code) ? 409 : 400,
    );
  }
}
