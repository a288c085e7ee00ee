import {
  ALERT_SCHEMA_VERSION,
  alertId,
  windowId,
  type Alert,
  type AlarmEvent,
  type TriggerLevel,
} from '@geostream/instrument-schemas';
import {
  SYSTEM_ACTOR,
  acknowledgeAlarm,
  applyAlarmEvent,
  commentOnAlarm,
  expireShelf,
  isAlertingError,
  isShelved,
  readAlarmLifecycle,
  shelveAlarm,
  unshelveAlarm,
  type AlarmLifecycle,
  type AlarmState,
  type AlertingErrorCode,
} from '../../src';
import { HOUR_MS, T0, windowAt } from '../support/timeline';

// One alarm point: the falling trigger level of settlement marker SM-1.

/** A level event of SM-1's falling band at minute `minute`, from one level to another. */
function levelEvent(minute: number, from: TriggerLevel, to: TriggerLevel): Alert {
  const window = windowAt(minute * 60_000, -15);
  const kind =
    ['none', 'alert', 'alarm', 'action'].indexOf(to) >
    ['none', 'alert', 'alarm', 'action'].indexOf(from)
      ? 'raise'
      : 'clear';
  return {
    schema_version: ALERT_SCHEMA_VERSION,
    condition: 'level',
    id: alertId(windowId('settlement_marker', 'SM-1', T0 + minute * 60_000), 'falling', kind, to),
    kind,
    instrument: 'settlement_marker',
    borehole_number: 'SM-1',
    direction: 'falling',
    from_level: from,
    to_level: to,
    threshold: -10,
    value: -15,
    unit: 'mm',
    occurred_at: window.window_end,
    trigger_levels: { falling: { alert: -10, alarm: -20, action: -30 } },
    window,
  };
}

const at = (minute: number) => T0 + minute * 60_000;
const engineer = (minute: number, alarmId: string, comment?: string) => ({
  alarmId,
  by: 'j.smith',
  atMs: at(minute),
  ...(comment === undefined ? {} : { comment }),
});

function apply(lifecycle: AlarmLifecycle | undefined, event: AlarmEvent): AlarmLifecycle {
  const t = applyAlarmEvent(lifecycle, event);
  if (t === undefined) throw new Error(`${event.id} changed nothing`);
  return t.state;
}

/** The point in each state, its occurrence raised at minute 1 to alert. */
function inState(state: AlarmState): AlarmLifecycle {
  const raised = apply(undefined, levelEvent(1, 'none', 'alert'));
  const acked = () => acknowledgeAlarm(raised, engineer(2, raised.alarm_id)).state;
  switch (state) {
    case 'active_unacknowledged':
      return raised;
    case 'active_acknowledged':
      return acked();
    case 'cleared_unacknowledged':
      return apply(raised, levelEvent(3, 'alert', 'none'));
    case 'closed':
      return apply(acked(), levelEvent(3, 'alert', 'none'));
  }
}

function refusal(act: () => unknown): AlertingErrorCode | 'none' {
  try {
    act();
    return 'none';
  } catch (error) {
    if (isAlertingError(error)) return error.code;
    throw error;
  }
}

describe('alarm lifecycle: pipeline events', () => {
  it('opens an occurrence on the first raise, named by the raise event', () => {
    const raise = levelEvent(1, 'none', 'alarm');
    const t = applyAlarmEvent(undefined, raise);
    expect(t?.opened).toBe(true);
    expect(t?.state).toMatchObject({
      point: 'settlement_marker:SM-1:level:falling',
      alarm_id: raise.id,
      condition: 'level',
      state: 'active_unacknowledged',
      level: 'alarm',
      peak_level: 'alarm',
      raised_at: raise.occurred_at,
    });
    expect(t?.audit).toEqual({
      alarm_id: raise.id,
      point: 'settlement_marker:SM-1:level:falling',
      action: 'raise',
      at: raise.occurred_at,
      by: SYSTEM_ACTOR,
      comment: null,
      from_state: null,
      to_state: 'active_unacknowledged',
      from_level: 'none',
      to_level: 'alarm',
      shelved_until: null,
      event_id: raise.id,
    });
  });

  // [state before, event at minute 10 from -> to, state after or 'unchanged', level after, same occurrence]
  it.each<
    [AlarmState, TriggerLevel, TriggerLevel, AlarmState | 'unchanged', TriggerLevel, boolean]
  >([
    ['active_unacknowledged', 'alert', 'alarm', 'active_unacknowledged', 'alarm', true],
    ['active_acknowledged', 'alert', 'alarm', 'active_unacknowledged', 'alarm', true],
    ['active_acknowledged', 'alert', 'none', 'closed', 'none', true],
    ['active_unacknowledged', 'alert', 'none', 'cleared_unacknowledged', 'none', true],
    ['cleared_unacknowledged', 'none', 'alert', 'active_unacknowledged', 'alert', true],
    ['closed', 'none', 'alert', 'active_unacknowledged', 'alert', false],
    ['cleared_unacknowledged', 'alert', 'none', 'unchanged', 'none', true],
    ['closed', 'alert', 'none', 'unchanged', 'none', true],
    ['active_unacknowledged', 'none', 'alert', 'unchanged', 'alert', true],
  ])('%s + event %s -> %s: %s', (before, from, to, after, level, sameOccurrence) => {
    const lifecycle = inState(before);
    const t = applyAlarmEvent(lifecycle, levelEvent(10, from, to));
    if (after === 'unchanged') {
      expect(t).toBeUndefined();
      return;
    }
    expect(t?.state.state).toBe(after);
    expect(t?.state.level).toBe(level);
    expect(t?.state.alarm_id === lifecycle.alarm_id).toBe(sameOccurrence);
    expect(t?.opened).toBe(!sameOccurrence);
    expect(t?.audit).toMatchObject({ from_state: before, to_state: after, by: SYSTEM_ACTOR });
  });

  it('keeps an acknowledgement through a de-escalation, and the peak level', () => {
    let lifecycle = apply(undefined, levelEvent(1, 'none', 'alarm'));
    lifecycle = acknowledgeAlarm(lifecycle, engineer(2, lifecycle.alarm_id)).state;
    lifecycle = apply(lifecycle, levelEvent(3, 'alarm', 'alert'));
    expect(lifecycle).toMatchObject({
      state: 'active_acknowledged',
      level: 'alert',
      peak_level: 'alarm',
    });
  });

  it('ignores an event older than the last applied, or the last one again', () => {
    const raise = levelEvent(5, 'none', 'alert');
    const lifecycle = apply(undefined, raise);
    expect(applyAlarmEvent(lifecycle, raise)).toBeUndefined();
    expect(applyAlarmEvent(lifecycle, levelEvent(4, 'alert', 'none'))).toBeUndefined();
  });

  it('refuses an event of another alarm point', () => {
    const other = { ...levelEvent(5, 'none', 'alert'), borehole_number: 'SM-2' };
    expect(refusal(() => applyAlarmEvent(inState('active_unacknowledged'), other))).toBe(
      'EVENT_FOR_ANOTHER_ALARM',
    );
  });
});

describe('alarm lifecycle: people', () => {
  // [state, outcome of acknowledging the current occurrence at minute 5]
  it.each<[AlarmState, AlarmState | AlertingErrorCode]>([
    ['active_unacknowledged', 'active_acknowledged'],
    ['active_acknowledged', 'ALREADY_ACKNOWLEDGED'],
    ['cleared_unacknowledged', 'closed'],
    ['closed', 'ALARM_CLOSED'],
  ])('acknowledge in %s -> %s', (before, outcome) => {
    const lifecycle = inState(before);
    const act = () =>
      acknowledgeAlarm(lifecycle, engineer(5, lifecycle.alarm_id, 'seen, crew informed'));
    const code = refusal(act);
    if (code !== 'none') {
      expect(code).toBe(outcome);
      return;
    }
    const t = act();
    expect(t.state.state).toBe(outcome);
    expect(t.state.acknowledged).toEqual({
      by: 'j.smith',
      at: '2024-01-01T00:05:00.000Z',
      comment: 'seen, crew informed',
    });
    expect(t.audit).toMatchObject({
      action: 'acknowledge',
      by: 'j.smith',
      at: '2024-01-01T00:05:00.000Z',
      comment: 'seen, crew informed',
      from_state: before,
      to_state: outcome,
    });
  });

  it('refuses to acknowledge an older occurrence: it is closed', () => {
    const first = inState('closed');
    const second = apply(first, levelEvent(10, 'none', 'alarm'));
    expect(refusal(() => acknowledgeAlarm(second, engineer(11, first.alarm_id)))).toBe(
      'ALARM_CLOSED',
    );
  });

  it.each<
    [
      string,
      Partial<{ by: string; untilMs: number; reason: string; comment: string }>,
      AlertingErrorCode,
    ]
  >([
    ['without a reason', { reason: '  ' }, 'SHELVE_REASON_REQUIRED'],
    ['ending before it starts', { untilMs: at(5) }, 'SHELVE_EXPIRY_NOT_IN_FUTURE'],
    ['for longer than a week', { untilMs: at(5) + 8 * 24 * HOUR_MS }, 'SHELVE_TOO_LONG'],
    ['by nobody', { by: ' ' }, 'ACTOR_REQUIRED'],
    ['with a comment over 2,000 characters', { comment: 'x'.repeat(2001) }, 'COMMENT_TOO_LONG'],
  ])('refuses a shelf %s', (_name, change, code) => {
    const lifecycle = inState('active_unacknowledged');
    const action = {
      ...engineer(5, lifecycle.alarm_id),
      untilMs: at(65),
      reason: 'grouting',
      ...change,
    };
    expect(refusal(() => shelveAlarm(lifecycle, action))).toBe(code);
  });

  it('shelves the point until a time: through a close and the next occurrence, then it expires', () => {
    let lifecycle = inState('active_acknowledged');
    const shelf = shelveAlarm(lifecycle, {
      ...engineer(5, lifecycle.alarm_id),
      untilMs: at(125),
      reason: 'compensation grouting under SM-1',
    });
    expect(shelf.audit).toMatchObject({
      action: 'shelve',
      shelved_until: '2024-01-01T02:05:00.000Z',
      comment: 'compensation grouting under SM-1',
      from_state: 'active_acknowledged',
      to_state: 'active_acknowledged',
    });
    lifecycle = apply(shelf.state, levelEvent(10, 'alert', 'none'));
    lifecycle = apply(lifecycle, levelEvent(20, 'none', 'alert'));
    expect(lifecycle.state).toBe('active_unacknowledged');
    expect([isShelved(lifecycle, at(124)), isShelved(lifecycle, at(125))]).toEqual([true, false]);
    expect(expireShelf(lifecycle, at(124))).toBeUndefined();
    const expired = expireShelf(lifecycle, at(200));
    expect(expired?.state.shelved).toBeNull();
    // Dated at the shelf's end, not when it was noticed.
    expect(expired?.audit).toMatchObject({
      action: 'unshelve',
      by: SYSTEM_ACTOR,
      at: '2024-01-01T02:05:00.000Z',
    });
  });

  it('unshelves only a shelved point', () => {
    const lifecycle = inState('active_unacknowledged');
    expect(refusal(() => unshelveAlarm(lifecycle, engineer(5, lifecycle.alarm_id)))).toBe(
      'NOT_SHELVED',
    );
    const shelved = shelveAlarm(lifecycle, {
      ...engineer(5, lifecycle.alarm_id),
      untilMs: at(65),
      reason: 'test',
    }).state;
    expect(
      unshelveAlarm(shelved, engineer(6, lifecycle.alarm_id, 'works finished early')).state.shelved,
    ).toBeNull();
    expect(refusal(() => unshelveAlarm(shelved, engineer(66, lifecycle.alarm_id)))).toBe(
      'NOT_SHELVED',
    );
  });

  it('takes comments in any state and on past occurrences, never empty', () => {
    for (const state of ['active_unacknowledged', 'closed'] as const) {
      const lifecycle = inState(state);
      const t = commentOnAlarm(
        lifecycle,
        engineer(30, lifecycle.alarm_id, 'surveyed by hand: -14.8 mm'),
      );
      expect(t.state).toBe(lifecycle);
      expect(t.audit).toMatchObject({ action: 'comment', from_state: state, to_state: state });
      expect(refusal(() => commentOnAlarm(lifecycle, engineer(30, lifecycle.alarm_id, ' ')))).toBe(
        'COMMENT_REQUIRED',
      );
    }
    const first = inState('closed');
    const second = apply(first, levelEvent(10, 'none', 'alarm'));
    expect(commentOnAlarm(second, engineer(11, first.alarm_id, 'cause found')).audit).toMatchObject(
      {
        alarm_id: first.alarm_id,
        from_state: 'closed',
        to_state: 'closed',
      },
    );
  });
});

describe('readAlarmLifecycle', () => {
  it('reads back what was stored', () => {
    for (const state of [
      'active_unacknowledged',
      'active_acknowledged',
      'cleared_unacknowledged',
      'closed',
    ] as const) {
      const lifecycle = inState(state);
      expect(readAlarmLifecycle(JSON.parse(JSON.stringify(lifecycle)))).toEqual(lifecycle);
    }
  });

  it('refuses a lifecycle whose fields contradict its state, naming where', () => {
    const acked = { ...inState('active_acknowledged'), acknowledged: null };
    expect(() => readAlarmLifecycle(acked)).toThrow(/^\$ has a level or acknowledgement/);
    const badTime = { ...inState('closed'), raised_at: '2024-01-01 00:01:00' };
    expect(refusal(() => readAlarmLifecycle(badTime))).toBe('STATE_INVALID');
    expect(refusal(() => readAlarmLifecycle({ ...badTime, schema_version: 2 }))).toBe(
      'STATE_VERSION_UNSUPPORTED',
    );
  });
});
