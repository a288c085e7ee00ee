import { applyAlarmEvent, type AlarmLifecycle } from '@geostream/alerting';
import { exampleAlarmEvent } from '@geostream/instrument-schemas/testing';
import { placeEvent } from '../../src/core/event-order';

const T = Date.UTC(2026, 0, 1);
const raise = exampleAlarmEvent('level', { atMs: T, to: 'alert' });
const up = exampleAlarmEvent('level', { atMs: T + 10_000, from: 'alert', to: 'alarm' });
const clear = exampleAlarmEvent('level', { atMs: T + 20_000, from: 'alarm', to: 'none' });

function after(...events: ReturnType<typeof exampleAlarmEvent>[]): AlarmLifecycle {
  let state: AlarmLifecycle | undefined;
  for (const event of events) state = applyAlarmEvent(state, event)?.state ?? state;
  if (state === undefined) throw new Error('nothing applied');
  return state;
}

describe('placeEvent: apply, park until the predecessor comes, or late', () => {
  it('applies the first raise of a new point and each event that follows the last', () => {
    expect(placeEvent(undefined, raise)).toBe('apply');
    expect(placeEvent(after(raise), up)).toBe('apply');
    expect(placeEvent(after(raise, up), clear)).toBe('apply');
  });

  it('parks an event whose predecessor was not applied (read from another partition first)', () => {
    expect(placeEvent(undefined, up)).toBe('park');
    expect(placeEvent(undefined, clear)).toBe('park');
    expect(placeEvent(after(raise), clear)).toBe('park');
  });

  it('calls an event older than the point last applied late, whatever its levels', () => {
    expect(placeEvent(after(raise, up, clear), raise)).toBe('late');
    expect(placeEvent(after(raise, up), raise)).toBe('late');
  });

  it('a new occurrence follows a cleared one', () => {
    const again = exampleAlarmEvent('level', { atMs: T + 30_000, to: 'alert' });
    expect(placeEvent(after(raise, up, clear), again)).toBe('apply');
  });
});
