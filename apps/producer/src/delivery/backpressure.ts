/**
 * Back-pressure: polling stops when the buffer of unacknowledged readings reaches its bound and
 * resumes once it has drained below a lower mark, so a Kafka outage costs polls (readings never
 * fetched, still on the instruments' side) rather than memory, and a recovering Kafka is not
 * flooded by polling that flips on and off at the bound.
 */
export type FlowState = 'flowing' | 'paused';

export interface FlowLimits {
  /** Stop polling when this many readings are buffered. */
  readonly pauseAt: number;
  /** Resume when the buffer has drained to this many or fewer. */
  readonly resumeAt: number;
}

export function nextFlowState(state: FlowState, buffered: number, limits: FlowLimits): FlowState {
  if (state === 'flowing') return buffered >= limits.pauseAt ? 'paused' : 'flowing';
  return buffered <= limits.resumeAt ? 'flowing' : 'paused';
}
