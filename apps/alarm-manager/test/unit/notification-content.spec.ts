import { createHmac } from 'node:crypto';
import {
  acknowledgeAlarm,
  applyAlarmEvent,
  notificationPayload,
  type AlarmTransition,
  type NotificationPayload,
} from '@geostream/alerting';
import { exampleAlarmEvent } from '@geostream/instrument-schemas/testing';
import { defined } from '@geostream/platform/testing';
import {
  emailMessage,
  messageIdFor,
  webhookRequest,
  webhookSignature,
} from '../../src/core/notification-content';

const T = Date.UTC(2026, 2, 1, 8);
const event = exampleAlarmEvent('rate', {
  atMs: T,
  instrument: 'settlement_marker',
  borehole: 'SM-Ω<12>',
  direction: 'falling',
  to: 'alarm',
});
const raised = defined(applyAlarmEvent(undefined, event), 'raise');

function payloadOf(transition: AlarmTransition, auditId: string): NotificationPayload {
  const event_ = transition.audit.action === 'raise' ? event : null;
  return notificationPayload(transition.state, transition.audit, auditId, event_);
}

describe('webhook requests', () => {
  const payload = payloadOf(raised, '41');

  it('carry the payload as JSON, its key and type, and a signature of timestamp and body', () => {
    const request = webhookRequest(payload, 's3cret', 1_700_000_000);
    expect(JSON.parse(request.body)).toEqual(payload);
    expect(request.headers['idempotency-key']).toBe(payload.idempotency_key);
    expect(request.headers['x-geostream-event']).toBe('alarm.raise');
    const expected = createHmac('sha256', 's3cret')
      .update(`1700000000.${request.body}`)
      .digest('hex');
    expect(request.headers['x-geostream-signature']).toBe(`sha256=${expected}`);
    expect(webhookSignature('other', 1_700_000_000, request.body)).not.toBe(
      request.headers['x-geostream-signature'],
    );
  });

  it('are the same bytes on every resend, with header values HTTP can carry', () => {
    expect(webhookRequest(payload, 'k', 1).body).toBe(webhookRequest(payload, 'k', 1).body);
    for (const value of Object.values(webhookRequest(payload, 'k', 1).headers))
      expect(value).toMatch(/^[\x20-\x7e]+$/);
    expect(payload.idempotency_key).toContain('SM-%CE%A9<12>');
    expect(payload.idempotency_key.endsWith('#41')).toBe(true);
  });
});

describe('e-mails', () => {
  const options = { from: 'geostream <alarms@site.example>', dashboardUrl: 'http://dash/' };

  it('say what happened to which instrument in the subject, and the facts in the text', () => {
    const mail = emailMessage(payloadOf(raised, '7'), '3', options);
    expect(mail.subject).toBe(
      '[geostream] ALARM settlement_marker SM-Ω<12> (rate of change, falling) raised',
    );
    expect(mail.text).toContain('Value:      -2.5 mm/day, threshold -2');
    expect(mail.text).toContain('http://dash/#/alarms');
    const acked = acknowledgeAlarm(raised.state, {
      alarmId: raised.state.alarm_id,
      by: 'alice',
      atMs: T + 60_000,
      comment: 'checked on site',
    });
    const ackMail = emailMessage(payloadOf(acked, '8'), '3', options);
    expect(ackMail.subject).toMatch(/acknowledged by alice$/);
    expect(ackMail.text).toContain('Comment:    checked on site');
  });

  it('have a Message-ID stable per notification and route, in the sender domain', () => {
    const a = emailMessage(payloadOf(raised, '7'), '3', options).messageId;
    expect(emailMessage(payloadOf(raised, '7'), '3', options).messageId).toBe(a);
    expect(emailMessage(payloadOf(raised, '7'), '4', options).messageId).not.toBe(a);
    expect(emailMessage(payloadOf(raised, '9'), '3', options).messageId).not.toBe(a);
    expect(a).toMatch(/^<[0-9a-f]{40}@site\.example>$/);
    expect(messageIdFor('k', '1', 'geostream.local')).toMatch(/@geostream\.local>$/);
  });
});
