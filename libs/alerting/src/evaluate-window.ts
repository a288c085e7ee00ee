import {
  ALERT_SCHEMA_VERSION,
  alertId,
  classifyTriggerLevel,
  maxTriggerLevel,
  type Alert,
  type TriggerLevel,
  type TriggerLevels,
  type WindowRecord,
} from '@geostream/instrument-schemas';
import { ALERT_STATE_VERSION, initialAlertState, type InstrumentAlertState } from './alert-state';
import { stepDirections, targetLevel } from './direction-step';
import { resolveAlertingOptions, type AlertingOptions } from './options';

/** A window record to evaluate; its trigger_level, if any, is replaced by the evaluation's. */
export type WindowToEvaluate = Omit<WindowRecord, 'trigger_level'> & {
  readonly trigger_level?: WindowRecord['trigger_level'];
};

export interface WindowEvaluation {
  /** The instrument's state after this window: store it and pass it with the next window. */
  readonly state: InstrumentAlertState;
  /** The level the window mean reaches: the window record's trigger_level. */
  readonly triggerLevel: TriggerLevel;
  /** The window record with trigger_level set. */
  readonly window: WindowRecord;
  /** The level currently raised (after debounce and hysteresis), over both directions. */
  readonly alertLevel: TriggerLevel;
  /** Raises and clears caused by this window: clears first, then raises. */
  readonly alerts: Alert[];
  /**
   * False when the window is not newer than the last one evaluated (a replayed or duplicated
   * window): the state is returned unchanged and no alert is emitted, so replays are idempotent.
   */
  readonly evaluated: boolean;
}

function alertLevelOf(state: InstrumentAlertState): TriggerLevel {
  return maxTriggerLevel(state.rising.level, state.falling.level);
}

/**
 * Evaluates one closed window of one instrument against its trigger levels: a pure reducer
 * over windows in event-time order. The value judged is the window mean, the data point the
 * engineers see and plot against the trigger lines (a single spike shows in reading_max but
 * does not raise: one reading is not a trend; use levels or debounce to tune sensitivity).
 *
 * A raise is emitted when a direction's level goes up, a clear when it goes down (including
 * to none), each with an id derived from the window so a replay emits exactly the same alerts.
 */
export function evaluateWindow(
  previous: InstrumentAlertState | undefined,
  window: WindowToEvaluate,
  levels: TriggerLevels,
  options: AlertingOptions = {},
): WindowEvaluation {
  const resolved = resolveAlertingOptions(options);
  const value = window.reading_mean;
  const triggerLevel = classifyTriggerLevel(value, levels);
  const record: WindowRecord = { ...window, trigger_level: triggerLevel };
  const before = previous ?? initialAlertState();

  // ISO-8601 UTC with milliseconds compares correctly as text.
  if (before.last_window_start !== null && window.window_start <= before.last_window_start) {
    return {
      state: before,
      triggerLevel,
      window: record,
      alertLevel: alertLevelOf(before),
      alerts: [],
      evaluated: false,
    };
  }

  const step = stepDirections(
    before,
    (direction, current) =>
      targetLevel(current, value, direction, levels[direction], resolved.clearMargin),
    resolved,
  );
  const alerts = step.changes.map(({ direction, kind, from, to, crossed }): Alert => {
    const thresholds = levels[direction];
    return {
      schema_version: ALERT_SCHEMA_VERSION,
      condition: 'level',
      id: alertId(window.id, direction, kind, to),
      kind,
      instrument: window.instrument,
      borehole_number: window.borehole_number,
      direction,
      from_level: from,
      to_level: to,
      threshold: thresholds === undefined || crossed === 'none' ? null : thresholds[crossed],
      value,
      unit: window.unit,
      occurred_at: window.window_end,
      trigger_levels: levels,
      window: record,
    };
  });

  const state: InstrumentAlertState = {
    schema_version: ALERT_STATE_VERSION,
    last_window_start: window.window_start,
    rising: step.rising,
    falling: step.falling,
  };
  return {
    state,
    triggerLevel,
    window: record,
    alertLevel: alertLevelOf(state),
    alerts,
    evaluated: true,
  };
}
