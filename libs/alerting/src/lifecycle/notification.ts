import { maxTriggerLevel, type AlarmEvent, type TriggerLevel } from '@geostream/instrument-schemas';
import type { AlarmLifecycle } from './alarm-lifecycle';
import type { AlarmAuditEntry } from './transitions';

/**
 * What a notification of one transition says (the body of a webhook, the facts of an e-mail):
 * the alarm as it stands after the transition, the transition (its audit entry and id), and for
 * a raise or clear the event that caused it.
 */
export interface NotificationPayload {
  /** Unique per transition; the same on every resend: receivers dedupe on it. */
  readonly idempotency_key: string;
  /** `alarm.<action>`, e.g. alarm.raise, alarm.acknowledge. */
  readonly type: string;
  readonly alarm: Omit<AlarmLifecycle, 'schema_version' | 'last_event_id' | 'last_event_at'>;
  readonly transition: AlarmAuditEntry & { readonly audit_id: string };
  readonly event: AlarmEvent | null;
}

/**
 * `<alarm id>#<audit id>`: one transition, whoever receives it. It travels in HTTP and mail
 * headers, so characters outside printable ASCII (instrument ids may hold any) and '%' are
 * percent-encoded (UTF-8); a plain ASCII alarm id reads as it is.
 */
export function idempotencyKeyOf(alarmId: string, auditId: string): string {
  const ascii = alarmId.replace(/[^\x20-\x24\x26-\x7e]/gu, (c) => encodeURIComponent(c));
  return `${ascii}#${auditId}`;
}

/**
 * The level a transition is routed by: raises and clears by the higher of their two levels,
 * people's actions by the highest level their occurrence reached (an acknowledgement of an
 * action-level alarm is action-level news even after it cleared). 'none': nobody is told.
 */
export function routingLevel(audit: AlarmAuditEntry, lifecycle: AlarmLifecycle): TriggerLevel {
  const moved = maxTriggerLevel(audit.from_level, audit.to_level);
  if (audit.action === 'raise' || audit.action === 'clear') return moved;
  return audit.alarm_id === lifecycle.alarm_id
    ? maxTriggerLevel(moved, lifecycle.peak_level)
    : moved;
}

/** The payload of a transition once its audit entry has its id. */
export function notificationPayload(
  state: AlarmLifecycle,
  audit: AlarmAuditEntry,
  auditId: string,
  event: AlarmEvent | null,
): NotificationPayload {
  const { schema_version: _v, last_event_id: _id, last_event_at: _at, ...alarm } = state;
  return {
    idempotency_key: idempotencyKeyOf(audit.alarm_id, auditId),
    type: `alarm.${audit.action}`,
    alarm,
    transition: { audit_id: auditId, ...audit },
    event,
  };
}
