/**
 * An instrument's worst current state: the one colour the plan (and any other view) shows for
 * it. THE rule, in one pure function, so a change of its inputs (alarms with a lifecycle,
 * acknowledgements, a no-data alarm raised by the processor) is made here and nowhere else.
 * Dependency-free on purpose: the browser bundle imports this same module to apply a live
 * window between two loads of the plan, so server and page can never disagree.
 *
 * Order of severity, worst last (CURRENT_STATES):
 *   normal < clock_skew < no_data < alert < alarm < action
 * - action, alarm, alert: the instrument's trigger level, from its latest window, or the level of
 *   an active (unshelved) level or rate alarm of it when higher (a rate alarm has no window
 *   level; a level alarm stays active through its debounce while a window dips). A measured
 *   exceedance calls for the trigger action response plan whatever else is true, so it outranks
 *   silence: an instrument last seen at alarm that then fell silent still shows alarm (silence
 *   never clears a level), and its no-data flag is shown beside it.
 * - no_data: silent for longer than its staleness rule allows (src/overview/staleness.ts), or
 *   an active no_data alarm of it (the processor's own silence rule). We are blind to it:
 *   someone must go and look, which is worse than doubtful timestamps.
 * - clock_skew: readings arrive but the instrument's clock is ahead or behind the log's (the
 *   stream-processor's estimate, instrument_state.clock_status): its times are doubtful.
 * - normal: none of the above.
 */
export const CURRENT_STATES = [
  'normal',
  'clock_skew',
  'no_data',
  'alert',
  'alarm',
  'action',
] as const;
export type CurrentState = (typeof CURRENT_STATES)[number];

/** The facts the state is judged from (instrument-schemas' TriggerLevel; sinks' clock_status). */
export interface CurrentStateInputs {
  readonly trigger_level: 'none' | 'alert' | 'alarm' | 'action';
  /** The highest level of its active, unshelved level and rate alarms; 'none' without. */
  readonly alarm_level: 'none' | 'alert' | 'alarm' | 'action';
  /** True when the instrument is stale by the dashboard's staleness rule. */
  readonly no_data: boolean;
  readonly clock_status: 'ok' | 'ahead' | 'behind';
}

export function worstCurrentState(inputs: CurrentStateInputs): CurrentState {
  const level =
    LEVEL_RANK[inputs.alarm_level] > LEVEL_RANK[inputs.trigger_level]
      ? inputs.alarm_level
      : inputs.trigger_level;
  if (level !== 'none') return level;
  if (inputs.no_data) return 'no_data';
  if (inputs.clock_status !== 'ok') return 'clock_skew';
  return 'normal';
}

const LEVEL_RANK = { none: 0, alert: 1, alarm: 2, action: 3 } as const;

/** Higher is worse: the index in CURRENT_STATES. */
export function currentStateRank(state: CurrentState): number {
  return CURRENT_STATES.indexOf(state);
}
