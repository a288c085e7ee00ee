import type { TriggerDirection, TriggerLevel } from '@geostream/instrument-schemas';

export const ALERT_STATE_VERSION = 1;

/** One direction's alert state. Plain JSON: it is checkpointed with the windowing state. */
export interface DirectionAlertState {
  /** The level currently raised in this direction. */
  readonly level: TriggerLevel;
  /** A level change waiting for enough consecutive windows (debounce), or null. */
  readonly pending_level: TriggerLevel | null;
  readonly pending_count: number;
}

/** One instrument's alert state across its windows. Plain JSON. */
export interface InstrumentAlertState {
  readonly schema_version: typeof ALERT_STATE_VERSION;
  /** window_start of the last window evaluated; older or equal windows are not re-evaluated. */
  readonly last_window_start: string | null;
  readonly rising: DirectionAlertState;
  readonly falling: DirectionAlertState;
}

const quiet: DirectionAlertState = { level: 'none', pending_level: null, pending_count: 0 };

/** The state of an instrument never seen before: nothing raised. */
export function initialAlertState(): InstrumentAlertState {
  return {
    schema_version: ALERT_STATE_VERSION,
    last_window_start: null,
    rising: quiet,
    falling: quiet,
  };
}

export function directionState(
  state: InstrumentAlertState,
  direction: TriggerDirection,
): DirectionAlertState {
  return direction === 'rising' ? state.rising : state.falling;
}
