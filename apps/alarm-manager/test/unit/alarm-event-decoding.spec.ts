import { ALARM_CONDITIONS } from '@geostream/instrument-schemas';
import { exampleAlarmEvent } from '@geostream/instrument-schemas/testing';
import { createAlarmEventDecoder } from '../../src/core/alarm-event-decoding';

const decode = createAlarmEventDecoder();
const bytes = (value: unknown) => Buffer.from(JSON.stringify(value));

describe('decoding a record of the alerts topic', () => {
  it.each(ALARM_CONDITIONS)('reads a %s event', (condition) => {
    const event = exampleAlarmEvent(condition, { atMs: Date.UTC(2026, 0, 1) });
    expect(decode(bytes(event))).toEqual({ ok: true, event });
  });

  it('reads a level alert written before events had a condition', () => {
    const { condition: _, ...old } = exampleAlarmEvent('level', { atMs: Date.UTC(2026, 0, 1) }) as {
      condition?: string;
    };
    expect(decode(bytes(old)).ok).toBe(true);
  });

  it.each([
    ['a tombstone', null, /tombstone/],
    ['bytes that are not UTF-8', Buffer.from([0xff, 0xfe]), /not JSON/],
    ['text that is not JSON', Buffer.from('{"id":'), /not JSON/],
    ['JSON of something else', bytes({ id: 'x', kind: 'raise' }), /not an alarm event/],
  ])('refuses %s, with the reason', (_what, value, reason) => {
    const decoded = decode(value);
    expect(decoded.ok).toBe(false);
    expect(decoded.ok ? '' : decoded.reason).toMatch(reason);
  });
});
