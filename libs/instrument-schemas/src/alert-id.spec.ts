import {
  alarmPointKey,
  alarmPointKeyOf,
  alertId,
  clockSkewAlarmId,
  noDataAlarmId,
  rateAlarmId,
} from './alert-id';
import { windowId } from './identity';
import type { AlarmEvent } from './schemas/alarm-event';

describe('alarm event ids', () => {
  const window = windowId('settlement_marker', 'SM-1', Date.UTC(2024, 0, 1));
  const at = '2024-01-01T00:00:00.000Z';

  it('have one shape per condition, so ids of different conditions never collide', () => {
    expect([
      alertId(window, 'falling', 'raise', 'alarm'),
      rateAlarmId(window, 'falling', 'raise', 'alarm'),
      noDataAlarmId('settlement_marker', 'SM-1', at, 'raise', 'alarm'),
      clockSkewAlarmId('settlement_marker', 'SM-1', at, 'raise', 'alarm'),
    ]).toEqual([
      'settlement_marker:SM-1:2024-01-01T00:00:00.000Z:falling:raise:alarm',
      'settlement_marker:SM-1:2024-01-01T00:00:00.000Z:rate:falling:raise:alarm',
      'settlement_marker:SM-1:no_data:2024-01-01T00:00:00.000Z:raise:alarm',
      'settlement_marker:SM-1:clock_skew:2024-01-01T00:00:00.000Z:raise:alarm',
    ]);
  });

  it('name the alarm point: per direction for levels and rates, per instrument otherwise', () => {
    expect(alarmPointKey('piezometer', 'P-1', 'rate', 'rising')).toBe('piezometer:P-1:rate:rising');
    const legacy = { instrument: 'piezometer', borehole_number: 'P-1', direction: 'rising' };
    expect(alarmPointKeyOf(legacy as AlarmEvent)).toBe('piezometer:P-1:level:rising');
    const silence = { instrument: 'piezometer', borehole_number: 'P-1', condition: 'no_data' };
    expect(alarmPointKeyOf(silence as AlarmEvent)).toBe('piezometer:P-1:no_data');
  });
});
