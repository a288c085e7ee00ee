import { ALARM_CONDITIONS, AlarmEventSchema, alarmPointKeyOf } from '../../src/index';
import { exampleAlarmEvent } from '../../src/testing';
import { compile } from '../ajv';

describe('exampleAlarmEvent (testing helper)', () => {
  const isAlarmEvent = compile(AlarmEventSchema);

  it.each(ALARM_CONDITIONS)('builds %s raises and clears that the schema accepts', (condition) => {
    const raise = exampleAlarmEvent(condition, { atMs: Date.UTC(2026, 0, 1), to: 'alarm' });
    const clear = exampleAlarmEvent(condition, {
      atMs: Date.UTC(2026, 0, 1, 1),
      from: 'alarm',
      to: 'none',
      silentSinceMs: Date.UTC(2025, 11, 31, 21),
    });
    for (const event of [raise, clear])
      expect([isAlarmEvent(event), isAlarmEvent.errors]).toEqual([true, null]);
    expect([raise.kind, clear.kind]).toEqual(['raise', 'clear']);
    expect(raise.id).not.toBe(clear.id);
    expect(alarmPointKeyOf(raise)).toBe(alarmPointKeyOf(clear));
  });
});
