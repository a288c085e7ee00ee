import { clockSkewAlarmEvent } from '../../src';
import { T0, isAlarmEvent } from '../support/timeline';

describe('clockSkewAlarmEvent', () => {
  it('builds a valid event whose id is derived from the instrument and the log time', () => {
    const event = clockSkewAlarmEvent({
      instrument: 'piezometer',
      borehole_number: 'P-1',
      kind: 'raise',
      fromLevel: 'none',
      toLevel: 'alert',
      status: 'ahead',
      offsetMs: 3_600_000.4,
      limitMs: 300_000,
      occurredAtMs: T0,
    });
    expect(isAlarmEvent(event)).toBe(true);
    expect(event).toMatchObject({
      id: 'piezometer:P-1:clock_skew:2024-01-01T00:00:00.000Z:raise:alert',
      offset_ms: 3_600_000,
    });
  });
});
