import {
  CANONICAL_TIMESTAMP_PATTERN,
  type TriggerDirection,
  type TriggerLevel,
} from '@geostream/instrument-schemas';
import {
  integerAt,
  invalidState,
  levelAt,
  nullable,
  objectAt,
  versionedObject,
} from './state-reader';

const CANONICAL_TIMESTAMP = new RegExp(CANONICAL_TIMESTAMP_PATTERN);

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

export const QUIET_DIRECTION: DirectionAlertState = {
  level: 'none',
  pending_level: null,
  pending_count: 0,
};

/** The state of an instrument never seen before: nothing raised. */
export function initialAlertState(): InstrumentAlertState {
  return {
    schema_version: ALERT_STATE_VERSION,
    last_window_start: null,
    rising: QUIET_DIRECTION,
    falling: QUIET_DIRECTION,
  };
}

/** Nothing raised and nothing pending in this direction. */
export function isQuietDirection(state: DirectionAlertState): boolean {
  return state.level === 'none' && state.pending_level === null;
}

export function directionState(
  state: InstrumentAlertState,
  direction: TriggerDirection,
): DirectionAlertState {
  return direction === 'rising' ? state.rising : state.falling;
}

/** One direction's state read back from JSON; throws STATE_INVALID naming the path. */
export function readDirectionState(value: unknown, path: string): DirectionAlertState {
  const object = objectAt(value, path);
  const level = levelAt(object['level'], `${path}.level`);
  const pendingLevel = nullable(object['pending_level'], (v) =>
    levelAt(v, `${path}.pending_level`),
  );
  const pendingCount = integerAt(object['pending_count'], `${path}.pending_count`, 0);
  if ((pendingLevel === null) !== (pendingCount === 0) || pendingLevel === level)
    throw invalidState(
      path,
      'must have a pending level (not the current one) exactly when pending_count > 0',
    );
  return { level, pending_level: pendingLevel, pending_count: pendingCount };
}

/**
 * An instrument's level state read back from a checkpoint, checked whole.
 * @throws AlertingError STATE_INVALID | STATE_VERSION_UNSUPPORTED
 */
export function readInstrumentAlertState(json: unknown, path = '$'): InstrumentAlertState {
  const object = versionedObject(json, ALERT_STATE_VERSION, path);
  const last = object['last_window_start'];
  if (last !== null && !(typeof last === 'string' && CANONICAL_TIMESTAMP.test(last)))
    throw invalidState(`${path}.last_window_start`, 'must be null or an ISO-8601 UTC timestamp');
  return {
    schema_version: ALERT_STATE_VERSION,
    last_window_start: last,
    rising: readDirectionState(object['rising'], `${path}.rising`),
    falling: readDirectionState(object['falling'], `${path}.falling`),
  };
}
