import { EventTimeSet } from './event-time-set';
import type { WindowAccumulator } from './window-accumulator';

/** One key's state within a partition. */
export class KeyState<M> {
  /** Open windows, ascending by start (for sessions also by end: a key's sessions are disjoint). */
  windows: WindowAccumulator<M>[] = [];
  /** Event times aggregated into the open windows: a reading at one of these is a duplicate. */
  readonly times: EventTimeSet;
  /**
   * The end of the latest window of this key already emitted, -Infinity if none is
   * remembered. Needed only while it says more than the partition watermark: after an early
   * eviction (tumbling/hopping), or for sessions until the watermark is a gap past it (a
   * reading just after a closed session would have extended it, so it is late).
   */
  closedUntilMs = -Infinity;

  constructor(
    readonly key: string,
    times: EventTimeSet = new EventTimeSet(),
  ) {
    this.times = times;
  }
}
