import type { KeyState } from './key-state';
import { AGGREGATED, DUPLICATE, LATE, type PartitionState, type Sink } from './partition-state';
import type { WindowedRecord } from './record';
import type { WindowAccumulator } from './window-accumulator';

/**
 * Places a reading in its key's sessions. A reading at t covers [t, t + gap); sessions are the
 * unions of overlapping covers, so a reading joins each open session it overlaps, bridging
 * two into one when it falls between them (at most two: a key's sessions are a gap apart).
 *
 * It is late when it would extend a session already emitted (t before the key's
 * closedUntilMs), or when it overlaps no open session and its own session [t, t + gap) has
 * already ended by the key's horizon.
 */
export function placeInSession<M>(
  partition: PartitionState<M>,
  state: KeyState<M>,
  record: WindowedRecord<M>,
  eventTimeMs: number,
  sink: Sink<M>,
): number {
  const gapMs = partition.gapMs;
  if (eventTimeMs < state.closedUntilMs) {
    partition.reportLate(
      record,
      state,
      partition.lateReason(state, state.closedUntilMs),
      [{ startMs: eventTimeMs, endMs: eventTimeMs + gapMs }],
      sink,
    );
    return LATE;
  }
  if (state.hasTime(eventTimeMs)) return DUPLICATE;

  // Sessions are sorted and disjoint; search from the newest, where in-order readings land.
  let later: WindowAccumulator<M> | undefined;
  let laterIndex = -1;
  let earlier: WindowAccumulator<M> | undefined;
  const windows = state.windows;
  for (let i = windows.length - 1; i >= 0; i--) {
    const window = windows[i];
    if (window === undefined || window.endMs <= eventTimeMs) break;
    if (window.startMs - gapMs < eventTimeMs) {
      if (later === undefined) {
        later = window;
        laterIndex = i;
      } else {
        earlier = window;
        break;
      }
    }
  }

  const value = record.value + 0;
  if (later === undefined) {
    const endMs = eventTimeMs + gapMs;
    if (endMs <= partition.horizonOf(state)) {
      partition.reportLate(
        record,
        state,
        partition.lateReason(state, endMs),
        [{ startMs: eventTimeMs, endMs }],
        sink,
      );
      return LATE;
    }
    if (partition.rejectWhenFull && partition.openWindows >= partition.maxOpenWindows) {
      partition.reportLate(
        record,
        state,
        'open_window_limit',
        [{ startMs: eventTimeMs, endMs }],
        sink,
      );
      return LATE;
    }
    const created = partition.openWindow(
      state,
      eventTimeMs,
      endMs,
      eventTimeMs,
      value,
      record.offset,
      record.meta,
    );
    const sessions = state.windows;
    let at = sessions.length;
    while (at > 0 && (sessions[at - 1]?.startMs ?? -Infinity) > eventTimeMs) at--;
    state.insertWindow(at, created);
  } else {
    const session = earlier ?? later;
    session.add(eventTimeMs, value, record.offset, record.meta);
    if (earlier !== undefined) {
      // The later session is absorbed, so the survivor keeps its (earlier) place in the queue.
      session.merge(later);
      state.removeMergedWindow(laterIndex);
      partition.merged(later);
    }
    session.startMs = session.firstEventTimeMs;
    session.endMs = session.lastEventTimeMs + gapMs;
  }
  state.addTime(eventTimeMs);
  return AGGREGATED;
}
