import { exampleAlarmEvent } from '@geostream/instrument-schemas/testing';
import {
  acknowledgeAlarm,
  applyAlarmEvent,
  commentOnAlarm,
  idempotencyKeyOf,
  notificationPayload,
  routingLevel,
} from '../../src';

const T = Date.UTC(2026, 0, 1);
const raise = exampleAlarmEvent('level', { atMs: T, to: 'action' });
const clear = exampleAlarmEvent('level', { atMs: T + 10_000, from: 'action', to: 'none' });
const again = exampleAlarmEvent('level', { atMs: T + 20_000, to: 'alert' });

function must<T>(value: T | undefined): T {
  if (value === undefined) throw new Error('expected a transition');
  return value;
}

describe('notifications of transitions', () => {
  const raised = must(applyAlarmEvent(undefined, raise));
  const acked = acknowledgeAlarm(raised.state, { alarmId: raise.id, by: 'ann', atMs: T + 5_000 });
  const closed = must(applyAlarmEvent(acked.state, clear));
  const reopened = must(applyAlarmEvent(closed.state, again));
  const note = commentOnAlarm(reopened.state, {
    alarmId: raise.id,
    by: 'ann',
    atMs: T + 30_000,
    comment: 'about the first one',
  });

  it('route raises and clears by their higher level, people by the peak of the occurrence', () => {
    expect(routingLevel(raised.audit, raised.state)).toBe('action');
    expect(routingLevel(closed.audit, closed.state)).toBe('action');
    expect(routingLevel(acked.audit, acked.state)).toBe('action');
    expect(routingLevel(reopened.audit, reopened.state)).toBe('alert');
    // A note on a past occurrence reaches nobody by level.
    expect(routingLevel(note.audit, note.state)).toBe('none');
  });

  it('have idempotency keys HTTP headers can carry, the alarm id as it is when ASCII', () => {
    expect(idempotencyKeyOf('piezometer:P-1:2026:rising', '12')).toBe(
      'piezometer:P-1:2026:rising#12',
    );
    expect(idempotencyKeyOf('strain_gauge:Ω 5%', '3')).toBe('strain_gauge:%CE%A9 5%25#3');
  });

  it('carry the alarm after the transition, the transition with its audit id, and the event', () => {
    const payload = notificationPayload(raised.state, raised.audit, '12', raise);
    expect(payload).toMatchObject({
      idempotency_key: `${raise.id}#12`,
      type: 'alarm.raise',
      alarm: { alarm_id: raise.id, state: 'active_unacknowledged', level: 'action' },
      transition: { audit_id: '12', action: 'raise', event_id: raise.id },
      event: raise,
    });
    expect(payload.alarm).not.toHaveProperty('schema_version');
  });
});
