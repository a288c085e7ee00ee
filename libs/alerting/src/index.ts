// Trigger-level alerting: a pure reducer from an instrument's closed windows to raise and clear
// alerts. No I/O, no clock: the caller stores the state (plain JSON) with its checkpoint.

export {
  ALERT_STATE_VERSION,
  initialAlertState,
  type InstrumentAlertState,
  type DirectionAlertState,
} from './alert-state';
export {
  resolveAlertingOptions,
  type AlertingOptions,
  type ResolvedAlertingOptions,
} from './options';
export { evaluateWindow, type WindowEvaluation, type WindowToEvaluate } from './evaluate-window';

// The vocabulary alerts are written in, re-exported for convenience.
export {
  TRIGGER_LEVELS,
  classifyTriggerLevel,
  resolveTriggerLevels,
  type Alert,
  type TriggerLevel,
  type TriggerLevels,
} from '@geostream/instrument-schemas';
