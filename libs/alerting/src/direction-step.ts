import {
  TRIGGER_DIRECTIONS,
  classifyDirection,
  maxTriggerLevel,
  triggerLevelRank,
  type TriggerDirection,
  type TriggerLevel,
  type TriggerThresholds,
} from '@geostream/instrument-schemas';
import type { DirectionAlertState } from './alert-state';
import type { ResolvedAlertingOptions } from './options';

function lowerOf(a: TriggerLevel, b: TriggerLevel): TriggerLevel {
  return triggerLevelRank(a) <= triggerLevelRank(b) ? a : b;
}

/**
 * The level a value should be at in one direction, before debounce: what it reaches, or, with
 * a clear margin, the raised level as long as the value stays within the margin of it.
 */
export function targetLevel(
  current: TriggerLevel,
  value: number,
  direction: TriggerDirection,
  thresholds: TriggerThresholds | undefined,
  clearMargin: number,
): TriggerLevel {
  if (thresholds === undefined) return 'none';
  const reached = classifyDirection(value, direction, thresholds);
  if (clearMargin === 0 || triggerLevelRank(reached) >= triggerLevelRank(current)) return reached;
  // Shifting the value towards danger by the margin tells which levels it is still within.
  const held = classifyDirection(
    direction === 'rising' ? value + clearMargin : value - clearMargin,
    direction,
    thresholds,
  );
  return maxTriggerLevel(reached, lowerOf(current, held));
}

/**
 * One direction's state after one window. A change of level needs `raiseAfterWindows` (or
 * `clearAfterWindows`) consecutive windows wanting to move the same way; it then moves to the
 * level all of them sustained (the lowest of the raises, the highest of the clears).
 */
export function stepDirection(
  state: DirectionAlertState,
  target: TriggerLevel,
  options: ResolvedAlertingOptions,
): DirectionAlertState {
  const current = triggerLevelRank(state.level);
  const wanted = triggerLevelRank(target);
  if (wanted === current) {
    return state.pending_level === null
      ? state
      : { level: state.level, pending_level: null, pending_count: 0 };
  }
  const rising = wanted > current;
  const pending = state.pending_level === null ? null : triggerLevelRank(state.pending_level);
  const continuing = pending !== null && pending > current === rising;
  const sustained: TriggerLevel = !continuing
    ? target
    : rising
      ? lowerOf(state.pending_level as TriggerLevel, target)
      : maxTriggerLevel(state.pending_level as TriggerLevel, target);
  const count = continuing ? state.pending_count + 1 : 1;
  const needed = rising ? options.raiseAfterWindows : options.clearAfterWindows;
  if (count >= needed) return { level: sustained, pending_level: null, pending_count: 0 };
  return { level: state.level, pending_level: sustained, pending_count: count };
}

/** A direction's level moved: a raise (up) or a clear (down, possibly to none). */
export interface LevelChange {
  readonly direction: TriggerDirection;
  readonly kind: 'raise' | 'clear';
  readonly from: TriggerLevel;
  readonly to: TriggerLevel;
  /** The level whose threshold was crossed: `to` for a raise, `from` for a clear. */
  readonly crossed: TriggerLevel;
}

export interface DirectionsStep {
  readonly rising: DirectionAlertState;
  readonly falling: DirectionAlertState;
  /** Clears first, then raises (in one window a band clears before the other raises). */
  readonly changes: LevelChange[];
}

/**
 * Steps both directions (of levels or of rates) towards the level `targetOf` gives each, or
 * holds one whose target is undefined, and lists the changes.
 */
export function stepDirections(
  before: { readonly rising: DirectionAlertState; readonly falling: DirectionAlertState },
  targetOf: (direction: TriggerDirection, current: TriggerLevel) => TriggerLevel | undefined,
  options: ResolvedAlertingOptions,
): DirectionsStep {
  const next = { rising: before.rising, falling: before.falling };
  const clears: LevelChange[] = [];
  const raises: LevelChange[] = [];
  for (const direction of TRIGGER_DIRECTIONS) {
    const was = before[direction];
    const target = targetOf(direction, was.level);
    if (target === undefined) continue;
    const now = stepDirection(was, target, options);
    next[direction] = now;
    if (now.level === was.level) continue;
    const raise = triggerLevelRank(now.level) > triggerLevelRank(was.level);
    (raise ? raises : clears).push({
      direction,
      kind: raise ? 'raise' : 'clear',
      from: was.level,
      to: now.level,
      crossed: raise ? now.level : was.level,
    });
  }
  return { ...next, changes: [...clears, ...raises] };
}
