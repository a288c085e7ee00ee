import { windowId, type TriggerLevels } from '@geostream/instrument-schemas';
import type { InstrumentAlertState } from './alert-state';
import { evaluateWindow, type WindowToEvaluate } from './evaluate-window';
import type { AlertingOptions } from './options';

const levels: TriggerLevels = { rising: { alert: 10, alarm: 20, action: 30 } };

/** A 10 s window of settlement-free extensometer E-1 starting at second `t` with this mean. */
function windowAt(t: number, mean: number): WindowToEvaluate {
  const start = Date.UTC(2024, 0, 1, 0, 0, t);
  return {
    schema_version: 1,
    id: windowId('extensometer', 'E-1', start),
    instrument: 'extensometer',
    borehole_number: 'E-1',
    window_start: new Date(start).toISOString(),
    window_end: new Date(start + 10_000).toISOString(),
    reading_mean: mean,
    reading_min: mean,
    reading_max: mean,
    reading_count: 1,
    first_timestamp: new Date(start).toISOString(),
    last_timestamp: new Date(start).toISOString(),
    unit: 'mm',
    surface_level: 80,
    northing: 5815854,
    easting: 323112,
  };
}

/** Runs means through the reducer as windows 0, 10, 20 s ... and lists the alerts. */
function run(means: number[], options: AlertingOptions = {}, lv: TriggerLevels = levels) {
  let state: InstrumentAlertState | undefined;
  const alerts: string[] = [];
  means.forEach((mean, i) => {
    const result = evaluateWindow(state, windowAt(i * 10, mean), lv, options);
    state = result.state;
    alerts.push(
      ...result.alerts.map((a) => `${i}:${a.direction}:${a.kind}:${a.from_level}->${a.to_level}`),
    );
  });
  return { alerts, state };
}

describe('evaluateWindow', () => {
  it('raises when the level goes up and clears when it goes down, including to none', () => {
    expect(run([5, 12, 25, 12, 3]).alerts).toEqual([
      '1:rising:raise:none->alert',
      '2:rising:raise:alert->alarm',
      '3:rising:clear:alarm->alert',
      '4:rising:clear:alert->none',
    ]);
  });

  it('jumps straight to the level reached, with one alert', () => {
    const result = evaluateWindow(undefined, windowAt(0, 31), levels);
    expect(result.alerts).toHaveLength(1);
    expect(result.alerts[0]).toMatchObject({
      id: 'extensometer:E-1:2024-01-01T00:00:00.000Z:rising:raise:action',
      kind: 'raise',
      from_level: 'none',
      to_level: 'action',
      threshold: 30,
      value: 31,
      occurred_at: '2024-01-01T00:00:10.000Z',
      window: { trigger_level: 'action' },
    });
  });

  it('sets the window trigger level even when nothing changes', () => {
    const first = evaluateWindow(undefined, windowAt(0, 25), levels);
    const second = evaluateWindow(first.state, windowAt(10, 26), levels);
    expect([second.triggerLevel, second.window.trigger_level, second.alerts]).toEqual([
      'alarm',
      'alarm',
      [],
    ]);
  });

  it('ignores a window that is not newer than the last one, so replays emit nothing twice', () => {
    const first = evaluateWindow(undefined, windowAt(10, 25), levels);
    const replay = evaluateWindow(first.state, windowAt(10, 25), levels);
    const older = evaluateWindow(first.state, windowAt(0, 0), levels);
    expect([replay.evaluated, replay.alerts, replay.state]).toEqual([false, [], first.state]);
    expect([older.evaluated, older.alerts]).toEqual([false, []]);
  });

  it('produces the same alerts, ids included, when the same windows are replayed from scratch', () => {
    const means = [0, 11, 22, 33, 21, 9, -1];
    expect(run(means).alerts).toEqual(run(means).alerts);
  });

  it('keeps state as plain JSON', () => {
    const { state } = run([5, 25, 12], { raiseAfterWindows: 2 });
    expect(JSON.parse(JSON.stringify(state))).toEqual(state);
  });

  it('treats the two directions of a "both" definition as independent bands', () => {
    const both: TriggerLevels = { ...levels, falling: { alert: -10, alarm: -20, action: -30 } };
    expect(run([25, -25], {}, both).alerts).toEqual([
      '0:rising:raise:none->alarm',
      '1:rising:clear:alarm->none',
      '1:falling:raise:none->alarm',
    ]);
  });

  describe('debounce', () => {
    it('raises only after N consecutive windows, to the level all of them reached', () => {
      expect(run([12, 25, 25, 25], { raiseAfterWindows: 2 }).alerts).toEqual([
        '1:rising:raise:none->alert',
        '3:rising:raise:alert->alarm',
      ]);
    });

    it('does not raise on a single spike', () => {
      expect(run([5, 25, 5, 25, 5], { raiseAfterWindows: 2 }).alerts).toEqual([]);
    });

    it('clears only after N consecutive lower windows', () => {
      expect(run([25, 5, 25, 5, 5], { clearAfterWindows: 2 }).alerts).toEqual([
        '0:rising:raise:none->alarm',
        '4:rising:clear:alarm->none',
      ]);
    });
  });

  describe('hysteresis', () => {
    it('holds a level while the value stays within the clear margin of its threshold', () => {
      expect(run([21, 19, 18.5, 17.9, 9.5, 7], { clearMargin: 2 }).alerts).toEqual([
        '0:rising:raise:none->alarm',
        '3:rising:clear:alarm->alert',
        '5:rising:clear:alert->none',
      ]);
    });

    it('does not delay raises', () => {
      expect(run([9.9, 10], { clearMargin: 2 }).alerts).toEqual(['1:rising:raise:none->alert']);
    });
  });

  it('rejects nonsense options', () => {
    expect(() =>
      evaluateWindow(undefined, windowAt(0, 1), levels, { raiseAfterWindows: 0 }),
    ).toThrow(RangeError);
    expect(() => evaluateWindow(undefined, windowAt(0, 1), levels, { clearMargin: -1 })).toThrow(
      RangeError,
    );
  });
});
