import { createHash, createHmac } from 'node:crypto';
import type { NotificationPayload } from '@geostream/alerting';

/**
 * What a receiver gets for one transition: a webhook request or an e-mail. Pure: the same
 * payload (and, for a webhook, the same timestamp) always gives the same bytes, so every resend
 * of a notification carries the same idempotency key and, for e-mail, the same Message-ID.
 */

export const SIGNATURE_HEADER = 'x-geostream-signature';
export const TIMESTAMP_HEADER = 'x-geostream-timestamp';
export const IDEMPOTENCY_HEADER = 'idempotency-key';
export const EVENT_TYPE_HEADER = 'x-geostream-event';

export interface WebhookRequest {
  readonly body: string;
  readonly headers: Readonly<Record<string, string>>;
}

/**
 * `sha256=<hex HMAC-SHA256 of "<timestamp>.<body>" with the route's secret>`. The timestamp is
 * signed with the body so a receiver can refuse a captured request replayed much later.
 */
export function webhookSignature(secret: string, timestampS: number, body: string): string {
  return `sha256=${createHmac('sha256', secret).update(`${timestampS}.${body}`).digest('hex')}`;
}

export function webhookRequest(
  payload: NotificationPayload,
  secret: string,
  timestampS: number,
): WebhookRequest {
  const body = JSON.stringify(payload);
  return {
    body,
    headers: {
      'content-type': 'application/json',
      'user-agent': 'geostream-alarm-manager',
      [IDEMPOTENCY_HEADER]: payload.idempotency_key,
      [EVENT_TYPE_HEADER]: payload.type,
      [TIMESTAMP_HEADER]: String(timestampS),
      [SIGNATURE_HEADER]: webhookSignature(secret, timestampS, body),
    },
  };
}

export interface EmailMessage {
  readonly subject: string;
  readonly text: string;
  /** `<hash@domain>`: stable per notification (its idempotency key and route). */
  readonly messageId: string;
  readonly headers: Readonly<Record<string, string>>;
}

/** The domain of an address such as `geostream <alarms@site.example>`. */
export function addressDomain(address: string): string {
  const match = /@([^\s>]+)>?\s*$/.exec(address);
  return match?.[1] ?? 'geostream.local';
}

export function messageIdFor(idempotencyKey: string, routeId: string, domain: string): string {
  const hash = createHash('sha256').update(`${idempotencyKey}\n${routeId}`).digest('hex');
  return `<${hash.slice(0, 40)}@${domain}>`;
}

const CONDITION_LABELS: Readonly<Record<string, string>> = {
  level: 'trigger level',
  rate: 'rate of change',
  no_data: 'no data',
  clock_skew: 'clock skew',
};

function whatHappened(payload: NotificationPayload): string {
  const t = payload.transition;
  switch (t.action) {
    case 'raise':
      return t.from_state === 'active_unacknowledged' || t.from_state === 'active_acknowledged'
        ? `raised to ${t.to_level}`
        : 'raised';
    case 'clear':
      return t.to_level === 'none' ? 'cleared' : `lowered to ${t.to_level}`;
    case 'acknowledge':
      return `acknowledged by ${t.by}`;
    case 'shelve':
      return `shelved by ${t.by} until ${t.shelved_until ?? '?'}`;
    case 'unshelve':
      return `unshelved by ${t.by}`;
    case 'comment':
      return `commented by ${t.by}`;
  }
}

/** The e-mail of one transition: a subject a person can triage from, and the facts as text. */
export function emailMessage(
  payload: NotificationPayload,
  routeId: string,
  options: { readonly from: string; readonly dashboardUrl: string },
): EmailMessage {
  const { alarm, transition: t, event } = payload;
  const level = (t.action === 'raise' ? t.to_level : alarm.peak_level).toUpperCase();
  const point = `${alarm.instrument} ${alarm.borehole_number}`;
  const condition = `${CONDITION_LABELS[alarm.condition] ?? alarm.condition}${alarm.direction ? `, ${alarm.direction}` : ''}`;
  const subject = `[geostream] ${level} ${point} (${condition}) ${whatHappened(payload)}`;
  const lines = [
    `${point}: ${condition} ${whatHappened(payload)}.`,
    '',
    `When:       ${t.at}`,
    `Alarm:      ${alarm.alarm_id}`,
    `State:      ${t.from_state ?? 'new'} -> ${t.to_state}`,
    `Level:      ${t.from_level} -> ${t.to_level} (peak ${alarm.peak_level})`,
  ];
  if (event !== null && 'value' in event && event.value !== null) {
    const threshold =
      'threshold' in event && event.threshold !== null ? `, threshold ${event.threshold}` : '';
    lines.push(`Value:      ${event.value} ${event.unit}${threshold}`);
  }
  if (event !== null && event.condition === 'no_data')
    lines.push(
      `Silent since ${event.silent_since} (expected every ${event.expected_interval_ms} ms)`,
    );
  if (t.comment !== null) lines.push(`Comment:    ${t.comment}`);
  if (alarm.shelved !== null)
    lines.push(`Shelved:    until ${alarm.shelved.until} (${alarm.shelved.reason})`);
  lines.push(
    '',
    `Dashboard:  ${options.dashboardUrl}#/alarms`,
    '',
    `Notification ${payload.idempotency_key}`,
  );
  return {
    subject: subject.replace(/[\r\n]+/g, ' '),
    text: `${lines.join('\n')}\n`,
    messageId: messageIdFor(payload.idempotency_key, routeId, addressDomain(options.from)),
    headers: { 'X-Geostream-Idempotency-Key': payload.idempotency_key },
  };
}
